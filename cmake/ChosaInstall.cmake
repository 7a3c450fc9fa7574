# The package: what `cmake --install build [--prefix DIR]` puts under the prefix
# (docs/operations.md "Install"; examples/c_host/ builds against it).
#
#   include/chosa/chosa.h          the C API: stable, C ABI included
#   include/chosa/*.h              the C++ public headers of base, engine, store, protocol and the
#                                  sync client (docs/architecture.md "Installed and stable");
#                                  module headers (include/chosa/<module>/) are never installed
#   lib/libchosa.so.0.1.0 (+ .so.0, .so)   the C API as a shared library (SONAME libchosa.so.0)
#   lib/libchosa_*.a               the static libraries a C++ host links
#   bin/chosa, bin/chosa-collector the programs
#   lib/cmake/chosa/               find_package(chosa): chosa::c (libchosa.so) and chosa::base,
#                                  chosa::sqlite, chosa::engine, chosa::store, chosa::protocol,
#                                  chosa::sync_client, chosa::c_static (the static libraries)
#   lib/pkgconfig/chosa.pc         pkg-config --cflags --libs chosa (libchosa.so)
#
# Every path is relative to the prefix, so the tree may be installed anywhere (--prefix, DESTDIR)
# and moved.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CHOSA_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/chosa)

# ---- the C API: libchosa.so and chosa.h (chosa::c) ---------------------------------------------
set_target_properties(chosa_shared PROPERTIES EXPORT_NAME c)
install(TARGETS chosa_shared EXPORT chosaCTargets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/platform/include/chosa/chosa.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/chosa)
install(EXPORT chosaCTargets NAMESPACE chosa:: DESTINATION ${CHOSA_INSTALL_CMAKEDIR}
  FILE chosa-c-targets.cmake)

# ---- the static libraries and the C++ public headers -------------------------------------------
set(CHOSA_INSTALLED_LIBRARIES
  chosa_base chosa_sqlite chosa_engine chosa_store chosa_protocol chosa_sync_client chosa_c)
foreach(library ${CHOSA_INSTALLED_LIBRARIES})
  string(REGEX REPLACE "^chosa_" "" export_name ${library})
  if(library STREQUAL "chosa_c")
    set(export_name c_static)  # chosa::c is libchosa.so
  endif()
  set_target_properties(${library} PROPERTIES EXPORT_NAME ${export_name})
  # The project's warning and sanitizer flags (chosa_build_flags, linked privately) belong to
  # this build: a static library's private links are exported as $<LINK_ONLY:...>, so the
  # package would carry them; it leaves them out.
  get_target_property(interface_links ${library} INTERFACE_LINK_LIBRARIES)
  if(interface_links)
    string(REPLACE "$<LINK_ONLY:chosa_build_flags>" "$<BUILD_INTERFACE:$<LINK_ONLY:chosa_build_flags>>"
      interface_links "${interface_links}")
    set_target_properties(${library} PROPERTIES INTERFACE_LINK_LIBRARIES "${interface_links}")
  endif()
endforeach()
install(TARGETS ${CHOSA_INSTALLED_LIBRARIES} EXPORT chosaTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT chosaTargets NAMESPACE chosa:: DESTINATION ${CHOSA_INSTALL_CMAKEDIR}
  FILE chosa-targets.cmake)

# The public headers are each module's include/chosa/*.h; include/chosa/<module>/ (module
# headers) stays behind.
foreach(include_dir engine/base/include engine/include engine/store/include sync/protocol/include
        sync/client/include)
  file(GLOB public_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${include_dir}/chosa/*.h)
  install(FILES ${public_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/chosa)
endforeach()

# ---- the programs ------------------------------------------------------------------------------
if(TARGET chosa)  # not in a device-only build (CHOSA_DEVICE_ONLY)
  install(TARGETS chosa RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
if(TARGET chosa-collector)
  install(TARGETS chosa-collector RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# ---- find_package(chosa) -----------------------------------------------------------------------
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/chosaConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/chosaConfig.cmake
  INSTALL_DESTINATION ${CHOSA_INSTALL_CMAKEDIR})
# 0.x: source compatible within a minor version (docs/architecture.md).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/chosaConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/chosaConfig.cmake ${PROJECT_BINARY_DIR}/package/chosaConfigVersion.cmake
  DESTINATION ${CHOSA_INSTALL_CMAKEDIR})

# ---- pkg-config: chosa.pc (the C library) ------------------------------------------------------
# The prefix is found from the file's own place (${pcfiledir}), so --prefix and DESTDIR hold.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  message(FATAL_ERROR "chosa.pc: CMAKE_INSTALL_LIBDIR must be relative to the prefix, not ${CMAKE_INSTALL_LIBDIR}")
endif()
file(RELATIVE_PATH CHOSA_PC_UP /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" CHOSA_PC_UP "${CHOSA_PC_UP}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/chosa.pc.in ${PROJECT_BINARY_DIR}/package/chosa.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/chosa.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
