# inkdex: the two commands a new user needs are `make demo` and `make test`.
# Every target first installs missing Debian packages (scripts/install-deps.sh,
# a no-op when all are present), then configures and builds Release into build/.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test test-asan demo bench clean format install

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# Every test again, built with AddressSanitizer and UndefinedBehaviorSanitizer
# into build-asan/ (RelWithDebInfo, no benchmarks). Not part of `make test`:
# a first build takes about half an hour on two cores (the tests ~6 min).
# Reports go to files, so that one from a process whose stderr a test does
# not show (a server it started, a child it killed) still fails the run.
# tests/lsan_suppressions.txt says which leak is Xapian's own, and why.
ASAN_BUILD_DIR ?= build-asan
SANITIZER_REPORTS = $(abspath $(ASAN_BUILD_DIR))/sanitizer-reports
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DINKDEX_SANITIZE=address,undefined -DINKDEX_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	@rm -rf $(SANITIZER_REPORTS) && mkdir -p $(SANITIZER_REPORTS)
	@cd $(ASAN_BUILD_DIR) && \
	  ASAN_OPTIONS=detect_stack_use_after_return=1:strict_init_order=1:log_path=$(SANITIZER_REPORTS)/asan \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(SANITIZER_REPORTS)/ubsan \
	  LSAN_OPTIONS=suppressions=$(abspath tests/lsan_suppressions.txt):print_suppressions=0 \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800; status=$$?; \
	  if [ -n "$$(ls -A $(SANITIZER_REPORTS))" ]; then \
	    cat $(SANITIZER_REPORTS)/*; echo "sanitizer reports: $(SANITIZER_REPORTS)"; exit 1; \
	  fi; exit $$status

demo: build
	@scripts/demo.sh $(BUILD_DIR)

bench: build
	@scripts/install-deps.sh --bench
	@bench/run.sh $(BUILD_DIR) $(if $(QUICK),--quick,)

install: build
	cmake --install $(BUILD_DIR) $(if $(PREFIX),--prefix $(PREFIX),)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
