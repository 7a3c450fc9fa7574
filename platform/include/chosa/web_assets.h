// The tablet renderer's files (platform/web/: HTML, CSS, JavaScript), built into the programs
// that serve it (`chosa kiosk`), so that a kiosk needs nothing beside its binary. An app ships the
// same files in its web view's assets instead (docs/web-renderer.md).
//
// Thread safety: read-only data. Ownership: the bytes live as long as the program.
#ifndef CHOSA_WEB_ASSETS_H_
#define CHOSA_WEB_ASSETS_H_

#include <cstddef>
#include <string_view>

namespace chosa::web {

struct Asset {
  std::string_view name;          // "index.html", "chosa-renderer.js"
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view bytes;
};

// The file named `name`, or null.
const Asset* FindAsset(std::string_view name);
size_t AssetCount();
const Asset& AssetAt(size_t i);  // REQUIRES: i < AssetCount()

}  // namespace chosa::web

#endif  // CHOSA_WEB_ASSETS_H_
