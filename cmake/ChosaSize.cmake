# The size of libchosa.so, what an app ships (issue 18; BENCHMARKS.md "Size of libchosa.so";
# measured by bench/size/run.sh).
#
# CHOSA_GC_SECTIONS (on by default): every function and variable of the chosa code in a section
# of its own (-ffunction-sections -fdata-sections), so that libchosa.so, linked with
# --gc-sections, keeps only what chosa.map's functions reach. The compile flags change where
# code is placed, not the code; the static libraries, tools and benchmarks are built as before.
#
# CHOSA_SIZE_OPTIMIZED (off by default): the app-package build. Everything in the build is
# linked with link-time optimisation (CMAKE_INTERPROCEDURAL_OPTIMIZATION: -flto=auto; the static
# libraries hold LTO objects, so libchosa.so is optimised as one unit, its unreached code and
# duplicate inline copies gone), at the build type's optimisation level: with Release (-O3) the
# engine is as fast as the static libraries'. Its own build directory, e.g.
#   cmake -S . -B build-app -DCMAKE_BUILD_TYPE=Release -DCHOSA_SIZE_OPTIMIZED=ON
#   cmake --build build-app --target chosa_shared
# With -DCMAKE_BUILD_TYPE=MinSizeRel (-Os) the library is about half as large again, and the engine
# 1.4-1.9 times slower (BENCHMARKS.md). Not for the sanitizer builds; not compiled by CI.
option(CHOSA_GC_SECTIONS "Each function and variable in its own section; libchosa.so linked with --gc-sections" ON)
option(CHOSA_SIZE_OPTIMIZED "App-package build: link-time optimisation of libchosa.so and all it is made of" OFF)

if(CHOSA_SANITIZE AND CHOSA_SIZE_OPTIMIZED)
  message(FATAL_ERROR "CHOSA_SIZE_OPTIMIZED is for the app package, not for a sanitizer build")
endif()
# Sanitized and fuzzing builds keep their sections as they were: nothing of this applies there.
if(CHOSA_SANITIZE)
  set(CHOSA_GC_SECTIONS OFF)
endif()

if(CHOSA_GC_SECTIONS OR CHOSA_SIZE_OPTIMIZED)
  add_compile_options(-ffunction-sections -fdata-sections)
endif()

if(CHOSA_SIZE_OPTIMIZED)
  include(CheckIPOSupported)
  check_ipo_supported(RESULT chosa_ipo_supported OUTPUT chosa_ipo_output LANGUAGES C CXX)
  if(NOT chosa_ipo_supported)
    message(FATAL_ERROR "CHOSA_SIZE_OPTIMIZED needs link-time optimisation: ${chosa_ipo_output}")
  endif()
  set(CMAKE_INTERPROCEDURAL_OPTIMIZATION ON)
endif()

# The link options of libchosa.so that go with the above (platform/CMakeLists.txt).
function(chosa_size_link_options target)
  if(CHOSA_GC_SECTIONS OR CHOSA_SIZE_OPTIMIZED)
    target_link_options(${target} PRIVATE -Wl,--gc-sections)
  endif()
endfunction()
