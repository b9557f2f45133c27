# Finds inkdex's dependencies as Debian 12 packages them, and wraps the ones
# that ship no usable CMake targets (Xapian, S2) in IMPORTED targets so the
# rest of the build links targets only.

find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(Protobuf REQUIRED)  # FindProtobuf module; CONFIG mode is broken on Debian 12
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED)
# ICU's common library (libicu-dev): Unicode normalization for accent folding
# (lib/src/text/fold.h). The FindICU module gives ICU::uc.
find_package(ICU REQUIRED COMPONENTS uc)
# The service (inkdex-server, the CLI's --server mode, the load generator).
find_package(gRPC CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_path(CIVETWEB_INCLUDE_DIR CivetServer.h REQUIRED)
find_library(CIVETWEB_LIBRARY civetweb REQUIRED)
find_library(CIVETWEB_CPP_LIBRARY civetweb-cpp REQUIRED)
if(NOT TARGET inkdex_dep::civetweb)
  add_library(inkdex_dep::civetweb INTERFACE IMPORTED)
  set_target_properties(inkdex_dep::civetweb PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${CIVETWEB_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${CIVETWEB_CPP_LIBRARY};${CIVETWEB_LIBRARY}")
endif()

find_package(xapian CONFIG REQUIRED)
if(NOT TARGET inkdex_dep::xapian)
  add_library(inkdex_dep::xapian INTERFACE IMPORTED)
  set_target_properties(inkdex_dep::xapian PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${XAPIAN_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${XAPIAN_LIBRARIES}")
endif()

find_path(S2_INCLUDE_DIR s2/s2cell_id.h REQUIRED)
find_library(S2_LIBRARY s2 REQUIRED)
if(NOT TARGET inkdex_dep::s2)
  add_library(inkdex_dep::s2 INTERFACE IMPORTED)
  set_target_properties(inkdex_dep::s2 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${S2_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${S2_LIBRARY};OpenSSL::Crypto;absl::base;absl::strings")
endif()

# inkdex's programs (inkdex-server, the inkdex CLI, the load generator and
# the benchmarks) allocate with tcmalloc (gperftools' minimal variant,
# libgoogle-perftools-dev) on transparent huge pages
# (tools/malloc/tcmalloc_huge_pages.cc says why and how). A search allocates
# and frees many small blocks on several threads, and glibc's malloc (arena
# locks, consolidation, trimming with munmap) took ~7 % of inkdex-server's CPU
# under load; index builds ran 17 % faster with tcmalloc (bench/ANALYSIS.md).
# The library does not link it: a program that embeds inkdex keeps its own
# allocator (with glibc's, GLIBC_TUNABLES=glibc.malloc.hugetlb=1 gives the
# huge pages). inkdex_malloc is an OBJECT library so that its static
# initializer is linked into each program; --no-as-needed because nothing
# calls tcmalloc by name: it replaces malloc by being loaded before libc.
option(INKDEX_TCMALLOC "Link inkdex's programs with tcmalloc_minimal on huge pages" ON)
if(INKDEX_TCMALLOC)
  find_library(TCMALLOC_MINIMAL_LIBRARY tcmalloc_minimal REQUIRED)
  find_path(GPERFTOOLS_INCLUDE_DIR gperftools/malloc_extension.h REQUIRED)
  add_library(inkdex_malloc OBJECT ${PROJECT_SOURCE_DIR}/tools/malloc/tcmalloc_huge_pages.cc)
  target_include_directories(inkdex_malloc PRIVATE ${GPERFTOOLS_INCLUDE_DIR}
                                           PUBLIC ${PROJECT_SOURCE_DIR}/tools)
  target_compile_options(inkdex_malloc PRIVATE ${INKDEX_WARNINGS})
  target_link_libraries(inkdex_malloc PUBLIC
    "-Wl,--push-state,--no-as-needed" "${TCMALLOC_MINIMAL_LIBRARY}" "-Wl,--pop-state")
else()
  add_library(inkdex_malloc INTERFACE)
endif()

if(TARGET RocksDB::rocksdb-shared)
  set(INKDEX_ROCKSDB_TARGET RocksDB::rocksdb-shared)
else()
  set(INKDEX_ROCKSDB_TARGET RocksDB::rocksdb)
endif()
