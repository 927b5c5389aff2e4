# The Debian package: `cmake --build build --target package` (or `cd build && cpack -G DEB`) makes
# basalt_<version>_amd64.deb with the server, a hardened systemd unit, /etc/default/basalt and a
# `basalt` system user whose data lives in /var/lib/basalt.
include(GNUInstallDirs)
install(TARGETS basalt RUNTIME DESTINATION bin)
if(TARGET basalt_rados)  # loaded by --engine=rados from ../lib/basalt (storage/rados_module.cc)
  install(TARGETS basalt_rados LIBRARY DESTINATION lib/basalt)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/packaging/basalt.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/default DESTINATION /etc/default RENAME basalt)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/compatibility.md
        DESTINATION share/doc/basalt)
# The web console's pages, and uPlot (its charts) as scripts/setup.sh installed it from npm:
# /usr/share/basalt/console, where basalt looks next to /usr/bin (server/console.h). OPTIONAL, not
# a configure-time check: npm may install uPlot after the build tree was configured.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/console/web DESTINATION share/basalt/console)
install(FILES ${PROJECT_SOURCE_DIR}/console/node_modules/uplot/dist/uPlot.iife.min.js
              ${PROJECT_SOURCE_DIR}/console/node_modules/uplot/dist/uPlot.min.css
        DESTINATION share/basalt/console/node_modules/uplot/dist OPTIONAL)
install(FILES ${PROJECT_SOURCE_DIR}/console/node_modules/uplot/LICENSE
        DESTINATION share/basalt/console/node_modules/uplot OPTIONAL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME basalt)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "Basalt developers <basalt@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "DynamoDB-compatible database server")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # basalt_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # the shared libraries' packages, from dpkg-shlibdeps
set(CPACK_STRIP_FILES ON)  # the debug info stays in the build tree
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/postinst ${PROJECT_SOURCE_DIR}/packaging/prerm ${PROJECT_SOURCE_DIR}/packaging/postrm
    ${PROJECT_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Reproducible: file times from the commit, not the build.
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  set(CPACK_DEBIAN_ARCHIVE_TYPE gnutar)
endif()
include(CPack)
