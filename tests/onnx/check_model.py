#!/usr/bin/python3
"""onnx.checker (full check, with shape inference) on the ONNX files given: exit 0 when all pass."""
import sys

import onnx

for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
    print("ok", path)
