# The libraries logsift links, found once for the main build and the fuzz build (tests/fuzz):
# Debian's -dev packages, installed by scripts/setup.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
find_package(fmt REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(BZip2 REQUIRED)
find_package(LibLZMA REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
find_package(simdjson CONFIG REQUIRED)  # src/fields (--where) reads JSON with it
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)  # -P only, in src/regex/perl_regex.cpp
