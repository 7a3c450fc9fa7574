/* chosa.h is plain C99: this file is compiled with -std=c99 -pedantic-errors, and the function
 * below is called by the C++ tests so that the C view of the structs is the one they use. */
#include "chosa/chosa.h"

#include <string.h>

int32_t chosa_test_c_struct_sizes(size_t* platform_size, size_t* options_size, size_t* error_size) {
  chosa_error error = CHOSA_ERROR_INIT;
  *platform_size = sizeof(chosa_platform);
  *options_size = sizeof(chosa_store_options);
  *error_size = sizeof(chosa_error);
  chosa_error_clear(&error);
  return (int32_t)strlen(chosa_version());
}
