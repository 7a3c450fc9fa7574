# Cross-compiling for arm64 (aarch64) Linux with Debian's crossbuild-essential-arm64, and running
# what is built under qemu-user (qemu-aarch64, no binfmt):
#
#   scripts/arm64-sysroot.sh build-arm64     # the arm64 libraries and headers: build-arm64/sysroot
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCHOSA_DEVICE_ONLY=ON \
#     -DCHOSA_HOST_COLLECTOR=$PWD/build/tools/chosa-collector
#
# The compiler brings its own C library and C++ runtime (/usr/aarch64-linux-gnu); every other
# library (SQLite, RE2, simdjson, OpenSSL, libcurl, ...) is found only in the sysroot
# CHOSA_SYSROOT (default: BUILD_DIR/sysroot), never among the machine's amd64 ones.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian's multiarch directories (lib/aarch64-linux-gnu) in the sysroot.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

if(NOT CHOSA_SYSROOT)
  set(CHOSA_SYSROOT ${CMAKE_BINARY_DIR}/sysroot CACHE PATH "The arm64 sysroot made by scripts/arm64-sysroot.sh")
endif()
# try_compile projects (compiler checks, FindThreads) build elsewhere: they get the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CHOSA_SYSROOT)
if(NOT EXISTS ${CHOSA_SYSROOT}/usr/include/simdjson.h)
  message(FATAL_ERROR "No arm64 sysroot in ${CHOSA_SYSROOT}: run scripts/arm64-sysroot.sh first")
endif()

# Libraries, headers and CMake packages from the sysroot only; programs (pkg-config, python3) are
# the machine's.
set(CMAKE_FIND_ROOT_PATH ${CHOSA_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The arch-specific headers (openssl/opensslconf.h, curl/curlbuild.h) live in the multiarch
# include directory, which the compiler does not search by itself.
foreach(lang C CXX)
  set(CMAKE_${lang}_STANDARD_INCLUDE_DIRECTORIES ${CHOSA_SYSROOT}/usr/include/aarch64-linux-gnu)
endforeach()
# Linking against libcurl.so and the like: the linker follows their own dependencies
# (libnghttp2, libgssapi_krb5, ...) in the sysroot.
set(CHOSA_SYSROOT_LINK_FLAGS
  "-Wl,-rpath-link,${CHOSA_SYSROOT}/usr/lib/aarch64-linux-gnu:${CHOSA_SYSROOT}/lib/aarch64-linux-gnu")
set(CMAKE_EXE_LINKER_FLAGS_INIT ${CHOSA_SYSROOT_LINK_FLAGS})
set(CMAKE_SHARED_LINKER_FLAGS_INIT ${CHOSA_SYSROOT_LINK_FLAGS})

# pkg-config (re2.pc, cpp-httplib.pc) reads the sysroot's .pc files, its paths prefixed with it.
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${CHOSA_SYSROOT})
set(ENV{PKG_CONFIG_LIBDIR}
  "${CHOSA_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${CHOSA_SYSROOT}/usr/lib/pkgconfig:${CHOSA_SYSROOT}/usr/share/pkgconfig")

# CTest runs the arm64 test programs under qemu-user: -L makes the sysroot the root for the
# loader and every library (it links the cross compiler's libc into sysroot/lib).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L ${CHOSA_SYSROOT})
