// Edit distance for "did you mean" suggestions on style names.
//
// Thread safety: pure function.
#ifndef INKDEX_TAXONOMY_EDIT_DISTANCE_H_
#define INKDEX_TAXONOMY_EDIT_DISTANCE_H_

#include <string_view>

namespace inkdex::internal {

// Optimal-string-alignment distance between `a` and `b` over bytes:
// insertions, deletions, substitutions and transpositions of two adjacent
// bytes each cost 1 ("tarditional" is 1 from "traditional"). O(|a|*|b|) time.
int EditDistance(std::string_view a, std::string_view b);

}  // namespace inkdex::internal

#endif  // INKDEX_TAXONOMY_EDIT_DISTANCE_H_
