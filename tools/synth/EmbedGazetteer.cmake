# Writes a C++ source that defines `${SYMBOL}Chunks`, an array of string_views
# whose concatenation is the file ${INPUT}, and `${SYMBOL}ChunkCount`, in
# namespace inkdex::synth::internal. The file is split into raw string literals
# of at most 60,000 bytes because some compilers cap one literal near 64 KiB;
# chunks end at line ends, so none splits a UTF-8 character.
# Invoked at build time by tools/synth/CMakeLists.txt:
#   cmake -DINPUT=cities.tsv -DOUTPUT=cities_data.cc -DSYMBOL=kCitiesTsv -P EmbedGazetteer.cmake
set(chunk_size 60000)
file(READ ${INPUT} content)
string(LENGTH "${content}" size)
get_filename_component(input_name ${INPUT} NAME)
file(WRITE ${OUTPUT}
  "// Generated from ${input_name} by tools/synth/EmbedGazetteer.cmake. Do not edit.\n"
  "#include <cstddef>\n#include <string_view>\n"
  "namespace inkdex::synth::internal {\n"
  "extern const std::string_view ${SYMBOL}Chunks[];\n"
  "extern const std::size_t ${SYMBOL}ChunkCount;\n"
  "const std::string_view ${SYMBOL}Chunks[] = {\n")
set(offset 0)
set(count 0)
while(offset LESS size)
  string(SUBSTRING "${content}" ${offset} ${chunk_size} chunk)
  string(LENGTH "${chunk}" length)
  math(EXPR end "${offset} + ${length}")
  if(end LESS size)
    string(FIND "${chunk}" "\n" last_newline REVERSE)
    if(last_newline LESS 0)
      message(FATAL_ERROR "${INPUT}: a line is longer than ${chunk_size} bytes")
    endif()
    math(EXPR length "${last_newline} + 1")
    string(SUBSTRING "${chunk}" 0 ${length} chunk)
  endif()
  file(APPEND ${OUTPUT} "R\"inkdex_gz(${chunk})inkdex_gz\",\n")
  math(EXPR offset "${offset} + ${length}")
  math(EXPR count "${count} + 1")
endwhile()
file(APPEND ${OUTPUT} "};\n"
  "const std::size_t ${SYMBOL}ChunkCount = ${count};\n"
  "}  // namespace inkdex::synth::internal\n")
