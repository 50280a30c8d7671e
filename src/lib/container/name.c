#include "container/name.h"

#include <string.h>
#include <sys/random.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/container.h"

static const char *const adjectives[] = {
  "admiring",    "adoring",   "affectionate", "agitated",      "amazing",   "angry",
  "awesome",     "beautiful", "blissful",     "bold",          "boring",    "brave",
  "busy",        "charming",  "clever",       "compassionate", "competent", "condescending",
  "confident",   "cool",      "cranky",       "crazy",         "dazzling",  "determined",
  "distracted",  "dreamy",    "eager",        "ecstatic",      "elastic",   "elated",
  "elegant",     "eloquent",  "epic",         "exciting",      "fervent",   "festive",
  "flamboyant",  "focused",   "friendly",     "frosty",        "funny",     "gallant",
  "gifted",      "goofy",     "gracious",     "great",         "happy",     "hardcore",
  "heuristic",   "hopeful",   "hungry",       "infallible",    "inspiring", "intelligent",
  "interesting", "jolly",     "jovial",       "keen",          "kind",      "laughing",
  "loving",      "lucid",     "magical",      "modest",        "musing",    "mystifying",
  "naughty",     "nervous",   "nice",         "nifty",         "nostalgic", "objective",
  "optimistic",  "peaceful",  "pedantic",     "pensive",       "practical", "priceless",
  "quirky",      "quizzical", "recursing",    "relaxed",       "reverent",  "romantic",
  "sad",         "serene",    "sharp",        "silly",         "sleepy",    "stoic",
  "strange",     "stupefied", "suspicious",   "sweet",         "tender",    "thirsty",
  "trusting",    "unruffled", "upbeat",       "vibrant",       "vigilant",  "vigorous",
  "wizardly",    "wonderful", "xenodochial",  "youthful",      "zealous",   "zen",
};

static const char *const surnames[] = {
  "albattani",    "allen",       "almeida",       "archimedes", "ardinghelli", "babbage",
  "banach",       "bardeen",     "bartik",        "bassi",      "bell",        "benz",
  "bhabha",       "black",       "blackburn",     "bohr",       "booth",       "borg",
  "bose",         "boyd",        "brahmagupta",   "brown",      "cannon",      "carson",
  "cartwright",   "cerf",        "chandrasekhar", "chatelet",   "chebyshev",   "clarke",
  "cohen",        "curie",       "darwin",        "davinci",    "dijkstra",    "dirac",
  "driscoll",     "dubinsky",    "easley",        "edison",     "einstein",    "elion",
  "engelbart",    "euclid",      "euler",         "fermat",     "fermi",       "feynman",
  "franklin",     "galileo",     "gates",         "goldberg",   "goldstine",   "goodall",
  "hamilton",     "hawking",     "heisenberg",    "hertz",      "hodgkin",     "hofstadter",
  "hopper",       "hugle",       "hypatia",       "jackson",    "jang",        "jennings",
  "jepsen",       "johnson",     "joliot",        "kalam",      "kapitsa",     "keller",
  "kepler",       "khorana",     "kilby",         "knuth",      "kowalevski",  "lalande",
  "lamarr",       "lamport",     "leakey",        "leavitt",    "lovelace",    "lumiere",
  "margulis",     "mayer",       "mccarthy",      "mcclintock", "meitner",     "mendel",
  "mirzakhani",   "montalcini",  "moore",         "morse",      "napier",      "nash",
  "newton",       "nightingale", "nobel",         "noether",    "noyce",       "pascal",
  "pasteur",      "payne",       "perlman",       "pike",       "poincare",    "ptolemy",
  "raman",        "ramanujan",   "ride",          "ritchie",    "rosalind",    "saha",
  "sammet",       "shannon",     "shockley",      "sinoussi",   "snyder",      "stonebraker",
  "swanson",      "tesla",       "thompson",      "torvalds",   "turing",      "varahamihira",
  "visvesvaraya", "volhard",     "wescoff",       "wiles",      "williams",    "wilson",
  "wing",         "wozniak",     "wright",        "yalow",      "yonath",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

bool
berth_container_name_valid(const char *name)
{
  if (name[0] == '/')
    name++;
  static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
  if (strlen(name) < 2 || strspn(name, ok) != strlen(name))
    return false;
  return name[0] != '_' && name[0] != '.' && name[0] != '-';
}

char *
berth_container_name_random(void)
{
  unsigned int r[2];
  if (getrandom(r, sizeof(r), 0) != sizeof(r))
    abort();
  const char *adj = adjectives[r[0] % N(adjectives)];
  const char *sur = surnames[r[1] % N(surnames)];
  /* Docker never names a container boring_wozniak. */
  if (strcmp(adj, "boring") == 0 && strcmp(sur, "wozniak") == 0)
    adj = "happy";
  return xasprintf("%s_%s", adj, sur);
}

int
berth_container_name_in_use(berth_store *s, const char *name, char in_use_by[65], berth_error **err)
{
  cleanup_strv char **ids = berth_container_list_ids(s, err);
  if (ids == NULL)
    return -1;
  if (name[0] == '/')
    name++;
  for (char **id = ids; *id != NULL; id++) {
    cleanup_container berth_container *c = NULL;
    if (berth_container_load(s, *id, &c, NULL) == 1 && strcmp(c->name, name) == 0) {
      if (in_use_by != NULL)
        memcpy(in_use_by, c->id, 65);
      return 1;
    }
  }
  return 0;
}

char *
berth_container_name_unique(berth_store *s, berth_error **err)
{
  for (int tries = 0; tries < 64; tries++) {
    char *name = berth_container_name_random();
    int used = berth_container_name_in_use(s, name, NULL, err);
    if (used == 0)
      return name;
    free(name);
    if (used < 0)
      return NULL;
  }
  berth_error_set(err, 0, "could not pick a unique container name");
  return NULL;
}
