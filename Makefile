# SlimLab — the two set-up commands (see README.md):
#   make demo   install dependencies, build, run the main job on built-in synthetic data
#   make test   install dependencies, build, run every test: the suite (ctest), the
#               runtime's tests cross-built for aarch64 under qemu (tools/cross-test.sh),
#               the torch-free libraries' tests under ASan + UBSan
#               (tools/sanitize-test.sh, clang) and a short round of every libFuzzer
#               target from that same build (tools/fuzz-ci.sh, FUZZ_SECONDS each).
#               This is what CI runs (.ci/run).
# Other targets: build, debug, asan, sanitize, fuzz, bench, clean.

BUILD      ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
FUZZ_SECONDS ?= 10

.PHONY: all deps configure build demo test debug asan sanitize fuzz bench clean

all: build

deps:
	@bash tools/install-deps.sh

$(BUILD)/build.ninja: | deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

configure: deps $(BUILD)/build.ninja

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash tools/demo.sh $(BUILD)/bin

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900
	@JOBS=$(JOBS) SLIMRT_CROSS_REQUIRED=1 bash tools/cross-test.sh $(BUILD)-aarch64
	@JOBS=$(JOBS) bash tools/sanitize-test.sh
	@FUZZ_BUILD=build-san FUZZ_SECONDS=$(FUZZ_SECONDS) bash tools/fuzz-ci.sh

debug:
	@$(MAKE) --no-print-directory build BUILD=build-debug BUILD_TYPE=Debug

# Address + undefined-behaviour sanitizers over the whole test suite.
# Builds build-asan/ (gcc, -O1) and runs the ctest suite there; the aarch64, clang-sanitizer
# and fuzz rounds of `make test` are sanitized builds of their own already.
asan:
	@$(MAKE) --no-print-directory build BUILD=build-asan BUILD_TYPE=ASan CMAKE_ARGS=-DSLIMLAB_BUILD_BENCH=OFF
	@cd build-asan && LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan-suppressions.txt \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800

# ASan + UBSan over the torch-free libraries, slimrt and their tests (build-san/).
sanitize: deps
	@bash tools/sanitize-test.sh

# libFuzzer targets (clang) for every parser, FUZZ_SECONDS each (build-fuzz/).
fuzz: deps
	@bash tools/fuzz-ci.sh

bench: build
	@cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	@bash bench/run.sh $(BUILD)/bin

clean:
	rm -rf build build-debug build-asan build-aarch64 build-debug-aarch64 build-asan-aarch64 build-san build-fuzz
