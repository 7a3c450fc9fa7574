# Every dependency comes from a Debian package (see README.md); nothing is downloaded.
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(simdjson REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)  # 0.11: a compiled library
find_package(CURL REQUIRED)
find_package(ZLIB REQUIRED)
if(NOT CHOSA_DEVICE_ONLY)  # the collector's and the analysis module's, not a device's
  # The collector's HTTPS server: Boost.Beast over Asio, header-only (libboost-dev).
  find_package(Boost 1.74 REQUIRED)
  pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)  # Excel workbooks (exports)
endif()
if(CHOSA_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
