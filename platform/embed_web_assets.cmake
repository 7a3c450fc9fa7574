# Writes OUT, a C++ source holding every file of FILES (platform/web/) as bytes, with
# chosa::web::FindAsset (include/chosa/web_assets.h). Run by platform/CMakeLists.txt at build time.
set(body "")
set(table "")
set(index 0)
foreach(file IN LISTS FILES)
  get_filename_component(name "${file}" NAME)
  get_filename_component(extension "${file}" LAST_EXT)
  if(extension STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(extension STREQUAL ".js")
    set(type "text/javascript; charset=utf-8")
  elseif(extension STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(extension STREQUAL ".svg")
    set(type "image/svg+xml")
  else()
    message(FATAL_ERROR "platform/web/${name}: no content type for ${extension}")
  endif()
  file(READ "${file}" hex HEX)
  file(SIZE "${file}" size)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "const unsigned char kFile${index}[] = {${bytes} 0};\n")
  string(APPEND table "    {\"${name}\", \"${type}\", std::string_view(reinterpret_cast<const char*>(kFile${index}), ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from platform/web/ by platform/embed_web_assets.cmake: do not edit.
#include <string_view>

#include \"chosa/web_assets.h\"

namespace chosa::web {
namespace {
${body}
const Asset kAssets[] = {
${table}};
}  // namespace

const Asset* FindAsset(std::string_view name) {
  for (const Asset& asset : kAssets) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

size_t AssetCount() { return sizeof kAssets / sizeof kAssets[0]; }
const Asset& AssetAt(size_t i) { return kAssets[i]; }

}  // namespace chosa::web
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
