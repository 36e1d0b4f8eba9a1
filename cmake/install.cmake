# `cmake --install`: the dkimdoctor binary, the wire/dnssec/resolver/diagnose/check libraries with their headers,
# a CMake package (find_package(dkimdoctor) -> dkimdoctor::wire, ::dnssec, ::resolver, ::diagnose, ::check: the
# check itself, check::run / check::check_blocking) and the man page.
include(CMakePackageConfigHelpers)

set(DKIMDOCTOR_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dkimdoctor)

install(TARGETS dkimdoctor_wire dkimdoctor_dnssec dkimdoctor_resolver dkimdoctor_diagnose dkimdoctor_check
  EXPORT dkimdoctorTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dkimdoctor)
foreach(part wire dnssec resolver diagnose check)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${part}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dkimdoctor/${part}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*_internal.hpp" EXCLUDE)
endforeach()
install(EXPORT dkimdoctorTargets NAMESPACE dkimdoctor:: DESTINATION ${DKIMDOCTOR_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dkimdoctorConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dkimdoctorConfig.cmake INSTALL_DESTINATION ${DKIMDOCTOR_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dkimdoctorConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dkimdoctorConfig.cmake ${PROJECT_BINARY_DIR}/dkimdoctorConfigVersion.cmake
  DESTINATION ${DKIMDOCTOR_CMAKE_DIR})

install(TARGETS dkimdoctor RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/dkimdoctor.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
