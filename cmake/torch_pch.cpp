// Translation unit that carries the precompiled LibTorch header (cmake/TorchPch.cmake).
