#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver with `callback` as the target. SwiftPM links an executable
/// target's entry point as `main` (`--defsym main=<Module>_main`), so each harness
/// defines `<Module>_main` and hands its arguments to libFuzzer through this.
int fuzz_driver_main(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));

#endif
