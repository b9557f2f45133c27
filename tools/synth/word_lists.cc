#include "synth/word_lists.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_split.h"
#include "synth/text_util.h"

namespace inkdex::synth {
namespace {

using sv = std::string_view;

// --- Names by culture -------------------------------------------------------

constexpr sv kEnglishFirst[] = {"Sarah",   "James",  "Emily",  "Jack",   "Olivia", "Liam",
                                "Chloe",   "Noah",   "Megan",  "Ryan",   "Hannah", "Callum",
                                "Jessica", "Connor", "Amelia", "Ethan",  "Grace",  "Tyler",
                                "Sophie",  "Mason",  "Zoë",    "Aaron",  "Kayla",  "Marcus",
                                "Ashley",  "Dylan",  "Riley",  "Jordan", "Niamh",  "Declan"};
constexpr sv kEnglishLast[] = {"Mitchell", "Smith",   "Jones",  "Taylor",   "Brown",   "Williams",
                               "Wilson",   "Johnson", "Davies", "Robinson", "Wright",  "Thompson",
                               "Evans",    "Walker",  "White",  "Roberts",  "Green",   "Hall",
                               "Wood",     "Harris",  "Clarke", "Murphy",   "O'Brien", "Kelly",
                               "Campbell", "Stewart", "Reid",   "Hughes",   "Price",   "Bennett"};
constexpr sv kEnglishStreetSuffixes[] = {"Street", "Road", "Lane", "Avenue",
                                         "Place",  "Row",  "Way",  "Terrace"};

constexpr sv kSpanishFirst[] = {"Alejandro", "Lucía",     "Javier", "María",   "Carlos", "Sofía",
                                "Diego",     "Valentina", "Mateo",  "Camila",  "Andrés", "Isabel",
                                "Pablo",     "Daniela",   "Jorge",  "Martina", "Luis",   "Paula"};
constexpr sv kSpanishLast[] = {"García",  "Fernández", "López",  "Martínez", "Sánchez", "Pérez",
                               "Gómez",   "Rodríguez", "Torres", "Ramírez",  "Flores",  "Morales",
                               "Herrera", "Castillo",  "Vargas", "Núñez",    "Rojas",   "Ortega"};

constexpr sv kPortugueseFirst[] = {"João",    "Ana",      "Pedro",  "Beatriz", "Lucas",  "Mariana",
                                   "Gabriel", "Larissa",  "Rafael", "Juliana", "Thiago", "Camila",
                                   "Bruno",   "Fernanda", "Tiago",  "Inês"};
constexpr sv kPortugueseLast[] = {"Silva",    "Santos",  "Oliveira", "Souza",    "Costa", "Pereira",
                                  "Ferreira", "Almeida", "Ribeiro",  "Carvalho", "Gomes", "Rocha",
                                  "Barbosa",  "Martins", "Araújo",   "Lima"};

constexpr sv kGermanFirst[] = {"Lukas", "Anna",   "Felix",      "Lena",    "Jonas",  "Marie",
                               "Leon",  "Laura",  "Maximilian", "Julia",   "Tobias", "Katharina",
                               "Jan",   "Sophie", "Moritz",     "Johanna", "Niklas", "Greta"};
constexpr sv kGermanLast[] = {"Müller", "Schmidt", "Schneider", "Fischer",  "Weber",      "Meyer",
                              "Wagner", "Becker",  "Schulz",    "Hoffmann", "Koch",       "Richter",
                              "Klein",  "Wolf",    "Neumann",   "Schwarz",  "Zimmermann", "Krüger"};
constexpr sv kGermanStreetSuffixes[] = {"straße", "weg", "gasse", "allee", "platz"};

constexpr sv kFrenchFirst[] = {"Camille", "Lucas",  "Manon",    "Hugo",   "Léa",      "Louis",
                               "Chloé",   "Théo",   "Inès",     "Nathan", "Juliette", "Antoine",
                               "Élodie",  "Mathis", "Clémence", "Bastien"};
constexpr sv kFrenchLast[] = {"Martin",  "Bernard", "Dubois",  "Thomas",  "Robert", "Richard",
                              "Petit",   "Durand",  "Leroy",   "Moreau",  "Simon",  "Laurent",
                              "Lefèvre", "Michel",  "Garnier", "Fontaine"};

constexpr sv kItalianFirst[] = {
    "Giulia",  "Marco",   "Francesca", "Luca",   "Chiara",   "Matteo", "Sara",    "Alessandro",
    "Martina", "Lorenzo", "Elena",     "Davide", "Federica", "Simone", "Giorgia", "Andrea"};
constexpr sv kItalianLast[] = {"Rossi",   "Russo",   "Ferrari", "Esposito", "Bianchi", "Romano",
                               "Colombo", "Ricci",   "Marino",  "Greco",    "Bruno",   "Gallo",
                               "Conti",   "De Luca", "Costa",   "Giordano"};

constexpr sv kNordicFirst[] = {"Erik",   "Astrid", "Lars",   "Ingrid", "Björn", "Freja",
                               "Magnus", "Sigrid", "Søren",  "Linnea", "Oskar", "Maja",
                               "Anders", "Elin",   "Mikkel", "Saga"};
constexpr sv kNordicLast[] = {
    "Andersson", "Johansson", "Nielsen",  "Hansen",   "Larsen", "Karlsson", "Nilsson", "Berg",
    "Lindqvist", "Jensen",    "Pedersen", "Eriksson", "Olsen",  "Dahl",     "Lund",    "Virtanen"};
constexpr sv kNordicStreetSuffixes[] = {"gatan", "vägen", "gade", "gata", "katu"};

constexpr sv kSlavicFirst[] = {"Łukasz", "Anna",    "Piotr",  "Katarzyna", "Tomasz", "Zofia",
                               "Jakub",  "Natalia", "Dmitri", "Olga",      "Ivan",   "Marta",
                               "Milan",  "Petra",   "Nikola", "Jelena",    "Andrei", "Ivana"};
constexpr sv kSlavicLast[] = {"Nowak",      "Kowalski", "Wiśniewska", "Novák",  "Horvat",
                              "Petrović",   "Ivanov",   "Kovač",      "Dvořák", "Popescu",
                              "Jovanović",  "Marković", "Kuznetsova", "Babić",  "Zielinski",
                              "Shevchenko", "Hodžić",   "Begović"};

constexpr sv kJapaneseFirst[] = {"Hiroshi", "Yuki",    "Kenji",     "Aiko", "Takashi", "Haruka",
                                 "Daisuke", "Sakura",  "Ryo",       "Emi",  "Kazuki",  "Mei",
                                 "Sho",     "Natsumi", "Horiyoshi", "Kaito"};
constexpr sv kJapaneseLast[] = {
    "Tanaka",    "Suzuki", "Sato",    "Takahashi", "Watanabe", "Ito",   "Yamamoto", "Nakamura",
    "Kobayashi", "Kato",   "Yoshida", "Yamada",    "Sasaki",   "Inoue", "Kimura",   "Matsumoto"};

constexpr sv kKoreanFirst[] = {"Min-jun", "Seo-yeon", "Ji-ho",   "Ha-eun", "Hyun-woo", "Ji-woo",
                               "Do-yoon", "Soo-ah",   "Jae-won", "Yuna",   "Tae-yang", "Eun-ji"};
constexpr sv kKoreanLast[] = {"Kim", "Lee",  "Park", "Choi", "Jung", "Kang",
                              "Cho", "Yoon", "Jang", "Lim",  "Han",  "Shin"};

constexpr sv kChineseFirst[] = {"Wei", "Mei", "Jun", "Xiu",  "Hao",  "Ling", "Jie",
                                "Yan", "Tao", "Hui", "Chen", "Ying", "Kai",  "Lan"};
constexpr sv kChineseLast[] = {"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang",
                               "Zhao", "Wu", "Zhou",  "Lin", "Chan", "Wong", "Ho"};

constexpr sv kSouthAsianFirst[] = {"Arjun",  "Priya",  "Rohan", "Ananya", "Vikram",
                                   "Kavya",  "Aditya", "Meera", "Rahul",  "Isha",
                                   "Sanjay", "Nisha",  "Imran", "Ayesha"};
constexpr sv kSouthAsianLast[] = {"Sharma", "Patel", "Singh", "Kumar",  "Gupta", "Reddy", "Iyer",
                                  "Khan",   "Mehta", "Nair",  "Chopra", "Malik", "Das",   "Rao"};

constexpr sv kArabicTurkishFirst[] = {"Omar",   "Layla",  "Yusuf",  "Fatima", "Karim", "Leila",
                                      "Emre",   "Elif",   "Mehmet", "Zeynep", "Tariq", "Noor",
                                      "Hassan", "Yasmin", "Can",    "Selin"};
constexpr sv kArabicTurkishLast[] = {"Haddad", "Khalil", "Nasser", "Saleh", "Aziz",  "Mansour",
                                     "Yılmaz", "Kaya",   "Demir",  "Şahin", "Çelik", "Öztürk",
                                     "Farouk", "Rahman", "Hamdan", "Arslan"};

constexpr sv kAfricanFirst[] = {"Kwame", "Amara",    "Tendai", "Zanele", "Chinedu", "Ngozi",
                                "Kofi",  "Thandiwe", "Sipho",  "Adaeze", "Jabari",  "Nia"};
constexpr sv kAfricanLast[] = {"Mensah", "Okafor",  "Dlamini", "Nkosi",  "Adeyemi", "Mokoena",
                               "Okeke",  "Boateng", "Mwangi",  "Ndlovu", "Diallo",  "Kamara"};

constexpr sv kGreekFirst[] = {"Nikos", "Eleni",  "Giorgos",  "Maria",  "Dimitris",
                              "Sofia", "Kostas", "Katerina", "Yannis", "Despina"};
constexpr sv kGreekLast[] = {"Papadopoulos", "Georgiou", "Nikolaidis", "Dimitriou", "Konstantinou",
                             "Pappas",       "Vlachos",  "Alexiou",    "Christou",  "Oikonomou"};

constexpr sv kDutchFirst[] = {"Daan",  "Sanne", "Bram", "Femke", "Thijs", "Lotte",
                              "Joris", "Eva",   "Sem",  "Noor",  "Ruben", "Fleur"};
constexpr sv kDutchLast[] = {"de Jong", "Jansen", "de Vries", "van den Berg",
                             "Bakker",  "Visser", "Smit",     "Meijer",
                             "de Boer", "Mulder", "Peeters",  "Janssens"};

constexpr sv kSoutheastAsianFirst[] = {"Nguyen", "Anh",  "Somchai", "Malee",  "Budi", "Siti",
                                       "Rizal",  "Dewi", "Paolo",   "Andrea", "Minh", "Linh"};
constexpr sv kSoutheastAsianLast[] = {"Nguyen", "Tran",   "Le",      "Pham",    "Santos",   "Reyes",
                                      "Cruz",   "Wijaya", "Sutanto", "Saetang", "Bautista", "Tan"};

constexpr sv kNoSuffix[] = {""};

const NameCulture kCultures[] = {
    {"english", kEnglishFirst, kEnglishLast, "{n} {name} {suffix}", kEnglishStreetSuffixes},
    {"spanish", kSpanishFirst, kSpanishLast, "Calle {name} {n}", kNoSuffix},
    {"portuguese", kPortugueseFirst, kPortugueseLast, "Rua {name}, {n}", kNoSuffix},
    {"german", kGermanFirst, kGermanLast, "{name}{suffix} {n}", kGermanStreetSuffixes},
    {"french", kFrenchFirst, kFrenchLast, "{n} rue {name}", kNoSuffix},
    {"italian", kItalianFirst, kItalianLast, "Via {name} {n}", kNoSuffix},
    {"nordic", kNordicFirst, kNordicLast, "{name}{suffix} {n}", kNordicStreetSuffixes},
    {"slavic", kSlavicFirst, kSlavicLast, "ul. {name} {n}", kNoSuffix},
    {"japanese", kJapaneseFirst, kJapaneseLast, "{n}-{n}-{n} {name}-cho", kNoSuffix},
    {"korean", kKoreanFirst, kKoreanLast, "{n} {name}-ro", kNoSuffix},
    {"chinese", kChineseFirst, kChineseLast, "{n} {name} Road", kNoSuffix},
    {"south_asian", kSouthAsianFirst, kSouthAsianLast, "{n} {name} Marg", kNoSuffix},
    {"arabic_turkish", kArabicTurkishFirst, kArabicTurkishLast, "{name} Caddesi No:{n}", kNoSuffix},
    {"african", kAfricanFirst, kAfricanLast, "{n} {name} Street", kNoSuffix},
    {"greek", kGreekFirst, kGreekLast, "Odos {name} {n}", kNoSuffix},
    {"dutch", kDutchFirst, kDutchLast, "{name}straat {n}", kNoSuffix},
    {"southeast_asian", kSoutheastAsianFirst, kSoutheastAsianLast, "{n} {name} Street", kNoSuffix},
};

struct CountryCulture {
  sv codes;  // space-separated ISO codes
  sv culture;
};
constexpr CountryCulture kCountryCultures[] = {
    {"ES MX AR CO CL PE VE EC GT CU BO DO HN PY SV NI CR PA UY PR", "spanish"},
    {"BR PT AO MZ CV", "portuguese"},
    {"DE AT CH LI LU", "german"},
    {"FR MC SN CI CM MG HT", "french"},
    {"IT SM MT", "italian"},
    {"SE NO DK FI IS", "nordic"},
    {"PL CZ SK HR RS BA SI ME MK BG RU UA BY RO MD LT LV EE", "slavic"},
    {"JP", "japanese"},
    {"KR KP", "korean"},
    {"CN TW HK MO SG", "chinese"},
    {"IN PK BD LK NP", "south_asian"},
    {"TR EG SA AE IQ SY JO LB MA DZ TN LY IR QA KW OM BH YE PS", "arabic_turkish"},
    {"NG GH KE ZA ZW ZM TZ UG ET RW CD BW NA", "african"},
    {"GR CY", "greek"},
    {"NL BE", "dutch"},
    {"VN TH PH ID MY KH MM LA", "southeast_asian"},
};

// --- Styles -------------------------------------------------------------------

constexpr sv kStylesByPopularity[] = {
    "traditional", "fineline",      "realism",    "blackwork",  "black_and_grey", "neo_traditional",
    "japanese",    "old_school",    "geometric",  "minimalist", "floral",         "illustrative",
    "watercolour", "lettering",     "dotwork",    "portrait",   "tribal",         "new_school",
    "ornamental",  "linework",      "cover_up",   "sketch",     "surrealism",     "anime",
    "trash_polka", "biomechanical", "psychedelic"};

struct StyleWords {
  sv id;
  sv display;
  std::array<sv, 4> aliases;  // trailing empty entries unused
  std::array<sv, 8> motifs;
};
constexpr StyleWords kStyleWords[] = {
    {"old_school",
     "old school",
     {"american traditional", "Old School", "old-school"},
     {"swallows", "anchors", "daggers", "roses", "pin-ups", "eagles", "nautical", "ships"}},
    {"traditional",
     "traditional",
     {"Traditional", "trad", "classic traditional"},
     {"roses", "eagles", "panthers", "daggers", "swallows", "nautical", "skulls", "snakes"}},
    {"new_school",
     "new school",
     {"New School", "new-school", "newschool"},
     {"cartoons", "animals", "skulls", "graffiti", "characters"}},
    {"neo_traditional",
     "neo-traditional",
     {"Neo-Traditional", "neotraditional", "Neotraditional", "neo traditional"},
     {"animals", "portraits", "roses", "wolves", "owls", "foxes", "florals"}},
    {"japanese",
     "Japanese",
     {"Irezumi", "Japanese", "irezumi", "japanese traditional"},
     {"koi", "dragons", "tigers", "peonies", "hannya masks", "waves", "cherry blossoms", "snakes"}},
    {"tribal",
     "tribal",
     {"Tribal", "polynesian tribal"},
     {"polynesian", "maori", "patterns", "bands"}},
    {"blackwork",
     "blackwork",
     {"Blackwork", "black work", "black-work"},
     {"patterns", "ornamental", "skulls", "botanical", "snakes"}},
    {"dotwork",
     "dotwork",
     {"stippling", "pointillism", "Dotwork", "dot work"},
     {"mandala", "sacred geometry", "moons", "patterns"}},
    {"geometric",
     "geometric",
     {"sacred geometry", "Geometric", "geometry"},
     {"sacred geometry", "mandala", "animals", "patterns"}},
    {"lettering",
     "lettering",
     {"script", "calligraphy", "typography", "Lettering"},
     {"lettering", "script", "names", "quotes"}},
    {"biomechanical",
     "biomechanical",
     {"Biomechanical", "bio-mechanical", "biomech"},
     {"biomech", "machinery", "sci-fi"}},
    {"watercolour",
     "watercolour",
     {"watercolor", "Watercolour", "water colour"},
     {"flowers", "birds", "butterflies", "hummingbirds", "abstract"}},
    {"floral",
     "floral",
     {"Floral", "florals"},
     {"roses", "peonies", "botanical", "wildflowers", "lotus", "sunflowers"}},
    {"fineline",
     "fine line",
     {"fine line", "fine_line", "fine-line", "Fineline"},
     {"botanical", "script", "constellations", "butterflies", "micro portraits"}},
    {"realism",
     "realism",
     {"Realism", "realistic"},
     {"portraits", "wildlife", "lions", "eyes", "clocks", "religious"}},
    {"black_and_grey",
     "black and grey",
     {"black and grey", "black & gray", "Black-and-Grey", "b&g"},
     {"portraits", "religious", "lions", "clocks", "roses", "skulls"}},
    {"portrait",
     "portrait",
     {"portraits", "Portrait", "portraiture"},
     {"portraits", "pets", "celebrities", "family portraits"}},
    {"minimalist",
     "minimalist",
     {"minimalism", "Minimalist", "minimal"},
     {"symbols", "hearts", "stars", "waves", "script"}},
    {"surrealism",
     "surrealist",
     {"surreal", "Surrealism", "surrealist"},
     {"dreamscapes", "eyes", "clocks", "abstract"}},
    {"sketch",
     "sketch",
     {"Sketch", "sketchy", "sketch work"},
     {"animals", "portraits", "abstract"}},
    {"illustrative",
     "illustrative",
     {"Illustrative", "illustration"},
     {"animals", "botanical", "storybook", "moths", "snakes"}},
    {"ornamental",
     "ornamental",
     {"Ornamental", "ornament", "filigree"},
     {"mandala", "jewellery", "lace", "henna"}},
    {"trash_polka",
     "trash polka",
     {"Trash Polka", "trash-polka", "trashpolka"},
     {"collage", "abstract", "skulls", "typography"}},
    {"psychedelic",
     "psychedelic",
     {"Psychedelic", "trippy"},
     {"mushrooms", "eyes", "abstract", "cosmic"}},
    {"anime",
     "anime",
     {"Anime", "manga", "anime and manga"},
     {"characters", "manga panels", "studio ghibli"}},
    {"linework",
     "linework",
     {"Linework", "line work", "line-work"},
     {"botanical", "animals", "mountains", "single line"}},
    {"cover_up",
     "cover-up",
     {"cover-up", "coverup", "Cover Up", "cover ups"},
     {"reworks", "blackout", "cover-ups"}},
};

constexpr sv kUnknownStyles[] = {"dragonz",  "custom", "flash", "bio-organic",
                                 "chicanoo", "misc",   "N/A",   "tatto"};

constexpr sv kCommonMotifs[] = {
    "roses",    "eagles",    "dragons",   "koi",       "skulls",    "snakes",  "tigers",
    "nautical", "botanical", "mandala",   "portraits", "lettering", "wolves",  "butterflies",
    "moths",    "birds",     "lions",     "flowers",   "hearts",    "daggers", "swallows",
    "anchors",  "moons",     "mountains", "pets",      "religious", "ships",   "peonies"};

constexpr sv kBodyParts[] = {"forearm", "upper arm", "full sleeve", "half sleeve", "back piece",
                             "chest",   "calf",      "thigh",       "hand",        "neck",
                             "ribs",    "shoulder",  "ankle",       "wrist"};

// --- Studios ----------------------------------------------------------------------

constexpr sv kStudioPatterns[] = {
    "{noun} & {noun2} Studio", "{adj} {noun} Tattoo", "{adj} {noun} Tattoo Co.",
    "The {noun} Parlour",      "{city} Ink",          "{noun} & {noun2} Tattoo",
    "{adj} {noun} Studio",     "House of {noun}",     "{city} Tattoo Collective",
    "The {adj} {noun}",        "{noun} Tattoo Club",  "Studio {noun}"};
constexpr sv kStudioAdjectives[] = {"Black",  "Golden", "Iron",     "Electric", "Crimson", "Silver",
                                    "Lucky",  "Wild",   "Sacred",   "Old",      "Royal",   "Bold",
                                    "Velvet", "Brass",  "Midnight", "Painted",  "Hidden",  "True"};
constexpr sv kStudioNouns[] = {"Ink",     "Steel",   "Needle",  "Anchor",  "Rose",    "Dagger",
                               "Lotus",   "Raven",   "Wolf",    "Crown",   "Serpent", "Lantern",
                               "Compass", "Sparrow", "Moth",    "Ember",   "Tiger",   "Koi",
                               "Skull",   "Arrow",   "Machine", "Pigment", "Flash",   "Harbour"};

// --- Biographies ---------------------------------------------------------------

constexpr sv kBioOpenings[] = {
    "{first} is a {style} tattoo artist based in {city}.",
    "Based in {city}, {first} has been tattooing for {years} years.",
    "{first} specialises in {style} and {style2} work.",
    "Tattooing in {city} for {years} years, {first} is known for clean {style} pieces.",
    "{first} is a {city} artist working mainly in {style}.",
    "With {years} years behind the machine, {first} splits time between {style} and {style2}.",
};
constexpr sv kBioMiddles[] = {
    "Known for bold {motif} and {motif2} designs.",
    "Loves {motif}, {motif2} and anything {style}.",
    "Trained in {style2} before moving into {style}.",
    "Works out of {studio} alongside a small crew of resident artists.",
    "Favourite subjects are {motif} and {motif2}, from small flash to full sleeves.",
    "Draws every piece by hand, with a soft spot for {motif}.",
    "Happy to adapt {motif} flash or build a custom {style2} design with you.",
};
constexpr sv kBioClosings[] = {
    "Books open monthly; DM for enquiries.", "Walk-ins welcome on Saturdays.",
    "Cover-ups and reworks considered.",     "Vegan inks only.",
    "Deposit required for all bookings.",    "Currently taking custom projects.",
    "Guest spots announced on Instagram.",   "",
};

constexpr sv kHandlePatterns[] = {"{first}{last}",    "{first}.{last}",   "{first}_{last}_tattoo",
                                  "{first}tattoos",   "{first}.ink",      "inkby{first}",
                                  "{f}{last}.tattoo", "{first}{last}ink", "{first}_tattoo_{city}",
                                  "{last}.tattooer",  "tattoosby{first}", "{first}.{last}.art"};

const StyleWords* FindStyle(sv id) {
  for (const StyleWords& s : kStyleWords) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

// The non-empty prefix of a fixed-size array padded with empty entries.
template <size_t N>
WordList Filled(const std::array<sv, N>& words) {
  size_t n = 0;
  while (n < N && !words[n].empty()) ++n;
  return WordList(words.data(), n);
}

}  // namespace

const NameCulture& CultureForCountry(std::string_view country_code) {
  static const auto* const by_country = [] {
    auto* map = new absl::flat_hash_map<sv, const NameCulture*>();
    for (const CountryCulture& cc : kCountryCultures) {
      const NameCulture* culture = nullptr;
      for (const NameCulture& c : kCultures) {
        if (c.id == cc.culture) culture = &c;
      }
      for (absl::string_view code : absl::StrSplit(ToAbsl(cc.codes), ' ')) {
        map->emplace(ToStd(code), culture);
      }
    }
    return map;
  }();
  auto it = by_country->find(country_code);
  return it == by_country->end() ? kCultures[0] : *it->second;
}

absl::Span<const NameCulture> AllCultures() { return kCultures; }

WordList StyleIdsByPopularity() { return kStylesByPopularity; }

std::string_view StyleDisplayName(std::string_view style_id) {
  const StyleWords* s = FindStyle(style_id);
  return s == nullptr ? style_id : s->display;
}

WordList StyleAliases(std::string_view style_id) {
  const StyleWords* s = FindStyle(style_id);
  return s == nullptr ? WordList() : Filled(s->aliases);
}

WordList UnknownStyles() { return kUnknownStyles; }

WordList MotifsForStyle(std::string_view style_id) {
  const StyleWords* s = FindStyle(style_id);
  return s == nullptr ? WordList() : Filled(s->motifs);
}

WordList CommonMotifs() { return kCommonMotifs; }
WordList BodyParts() { return kBodyParts; }
WordList StudioNamePatterns() { return kStudioPatterns; }
WordList StudioAdjectives() { return kStudioAdjectives; }
WordList StudioNouns() { return kStudioNouns; }
WordList BioOpenings() { return kBioOpenings; }
WordList BioMiddles() { return kBioMiddles; }
WordList BioClosings() { return kBioClosings; }
WordList HandlePatterns() { return kHandlePatterns; }

}  // namespace inkdex::synth
