// The country codes the flags programs ask for: the book's 20 most populous countries, the
// codes with a flag to download, and the expansion of the flags2 programs' CC arguments.
#ifndef EXAMPLES_FLAGS_COUNTRY_CODES_HPP_
#define EXAMPLES_FLAGS_COUNTRY_CODES_HPP_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace flags {

// The book's POP20_CC, in its order.
inline constexpr std::array<std::string_view, 20> kPop20 = {
    "CN", "IN", "US", "ID", "BR", "PK", "NG", "BD", "RU", "JP",
    "MX", "PH", "VN", "ET", "EG", "DE", "IR", "TR", "CD", "FR"};

// The ISO 3166-1 codes with an image in Debian's iso-flags-png-320x240 (AD to ZW): what -a
// asks for, as the book's country_codes.txt. The package's EO, EU and ZZ are not countries.
extern const std::array<std::string_view, 249> kAvailableCodes;

// The codes to download, sorted, as the book's expand_cc_args: every AA to ZZ (every_cc),
// kAvailableCodes (all_cc), or the arguments, each a code (two letters) or a first letter
// (one, meaning A..Z after it); case is ignored; then the first `limit`. Empty arguments
// give kPop20. Throws cli::UsageError naming an argument that is neither.
std::vector<std::string> expand_cc_args(bool every_cc, bool all_cc,
                                        const std::vector<std::string>& cc_args, std::size_t limit);

}  // namespace flags

#endif  // EXAMPLES_FLAGS_COUNTRY_CODES_HPP_
