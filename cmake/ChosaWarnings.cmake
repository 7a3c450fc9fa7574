# Warnings and sanitizers applied to every chosa target through one interface target.
add_library(chosa_build_flags INTERFACE)
target_compile_options(chosa_build_flags INTERFACE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>)
if(CHOSA_SANITIZE)
  target_compile_options(chosa_build_flags INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(chosa_build_flags INTERFACE -fsanitize=address,undefined)
endif()
