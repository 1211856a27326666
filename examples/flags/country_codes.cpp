#include "country_codes.hpp"

#include <algorithm>
#include <set>

#include "cli/cli.hpp"

namespace flags {

const std::array<std::string_view, 249> kAvailableCodes = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"};

std::vector<std::string> expand_cc_args(bool every_cc, bool all_cc,
                                        const std::vector<std::string>& cc_args,
                                        std::size_t limit) {
  std::set<std::string> codes;
  const auto letter = [](char c) { return c >= 'A' && c <= 'Z'; };
  if (every_cc) {
    for (char a = 'A'; a <= 'Z'; ++a) {
      for (char b = 'A'; b <= 'Z'; ++b) codes.insert(std::string{a, b});
    }
  } else if (all_cc) {
    codes.insert(kAvailableCodes.begin(), kAvailableCodes.end());
  } else {
    for (const std::string& arg : cc_args) {
      std::string cc = arg;
      std::transform(cc.begin(), cc.end(), cc.begin(),
                     [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
      if (cc.size() == 1 && letter(cc[0])) {
        for (char b = 'A'; b <= 'Z'; ++b) codes.insert(std::string{cc[0], b});
      } else if (cc.size() == 2 && letter(cc[0]) && letter(cc[1])) {
        codes.insert(cc);
      } else {
        throw cli::UsageError(cli::invalid("CC", arg) +
                              "expected a letter A to Z or a code AA to ZZ");
      }
    }
    if (cc_args.empty()) codes.insert(kPop20.begin(), kPop20.end());
  }
  std::vector<std::string> sorted(codes.begin(), codes.end());
  if (sorted.size() > limit) sorted.resize(limit);
  return sorted;
}

}  // namespace flags
