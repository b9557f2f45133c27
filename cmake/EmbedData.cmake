# Writes a C++ source defining inkdex::internal::kDefaultStylesTsv with the
# contents of data/styles.tsv. Invoked at build time by lib/CMakeLists.txt.
file(READ ${STYLES} content)
file(WRITE ${OUT} "// Generated from data/styles.tsv by cmake/EmbedData.cmake. Do not edit.\n"
  "#include <string_view>\n"
  "namespace inkdex::internal {\n"
  "extern const std::string_view kDefaultStylesTsv;\n"
  "const std::string_view kDefaultStylesTsv = R\"inkdex_data(${content})inkdex_data\";\n"
  "}  // namespace inkdex::internal\n")
