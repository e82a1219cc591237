"""Generated news-like text: names, headlines, summaries and paragraphs from small word banks."""

SECTIONS = [
    ("War", "Front-line reports, shelling and the defense of the country."),
    ("Politics", "Parliament, the government and elections."),
    ("Business", "Companies, markets, energy and the economy."),
    ("Europe", "Neighbors, allies and the road to the European Union."),
    ("Society", "Daily life, health, education and the people behind the news."),
    ("Culture", "Books, film, music and heritage."),
    ("Investigations", "Long reads from our investigative desk."),
    ("Opinion", "Views of our columnists and guests."),
]
PLACES = [
    "Kharkiv",
    "Odesa",
    "Dnipro",
    "Zaporizhzhia",
    "Lviv",
    "Kherson",
    "Sumy",
    "Mykolaiv",
    "Poltava",
    "Chernihiv",
    "Donetsk Oblast",
    "Luhansk Oblast",
    "Kyiv Oblast",
    "Vinnytsia",
    "Rivne",
    "Ternopil",
    "Uzhhorod",
    "Brussels",
    "Warsaw",
    "Berlin",
]
TOPICS = [
    "Air defense",
    "Energy grid",
    "Reconstruction",
    "Sanctions",
    "Grain exports",
    "Mobilization",
    "Anti-corruption",
    "EU accession",
    "Drones",
    "Humanitarian aid",
]
FIRST_NAMES = [
    "Olena",
    "Andrii",
    "Iryna",
    "Taras",
    "Kateryna",
    "Dmytro",
    "Oksana",
    "Serhii",
    "Yulia",
    "Bohdan",
    "Nataliia",
    "Maksym",
    "Sofiia",
    "Artem",
    "Daria",
    "Ivan",
]
LAST_NAMES = [
    "Kovalenko",
    "Bondar",
    "Tkachenko",
    "Melnyk",
    "Shevchuk",
    "Kravets",
    "Hnatiuk",
    "Lysenko",
    "Moroz",
    "Savchenko",
    "Rudenko",
    "Marchenko",
    "Polishchuk",
    "Boiko",
    "Tymoshchuk",
    "Fedorenko",
]
JOB_TITLES = [
    "News Editor",
    "Reporter",
    "Senior Reporter",
    "Investigative Reporter",
    "Business Reporter",
    "War Correspondent",
    "Culture Editor",
    "Deputy Editor",
    "Photo Editor",
    "Night Editor",
]

_ACTORS = [
    "The regional governor",
    "The Defense Ministry",
    "The mayor",
    "The General Staff",
    "The Energy Ministry",
    "The National Bank",
    "Parliament",
    "The prosecutor general's office",
    "The emergency service",
    "A military spokesperson",
    "The prime minister",
    "The foreign minister",
    "The city council",
    "The state railway company",
    "The health ministry",
]
# Neutral verbs only: every event below must read naturally after each of them.
_VERBS = ["reported", "confirmed", "announced", "described"]
_HEADLINE_VERBS = ["reports", "confirms", "announces"]
_EVENTS = [
    "an attack on energy infrastructure",
    "the restoration of power to thousands of homes",
    "a new package of military aid",
    "the evacuation of residents from frontline villages",
    "repairs to a damaged bridge",
    "the opening of a new school shelter",
    "a prisoner exchange",
    "a drone strike on an industrial site",
    "new funding for housing reconstruction",
    "the arrest of officials suspected of bribery",
    "a record harvest forecast",
    "talks with European partners",
    "the reopening of a rail line",
    "overnight shelling of residential areas",
    "a plan to rebuild the water supply",
]
_DETAILS = [
    "Emergency crews worked through the night",
    "No casualties were reported",
    "Several people were injured, according to preliminary information",
    "The work is expected to take several weeks",
    "Residents were urged to stay in shelters",
    "The figures could not be independently verified",
    "Officials promised an update later in the day",
    "The decision still needs the approval of parliament",
    "Volunteers delivered food and water",
    "Power was restored within hours",
]
SOURCES = [
    "the regional military administration",
    "the Defense Ministry",
    "the mayor's office",
    "the national police",
    "the state energy operator",
    "the Cabinet of Ministers",
    "the presidential office",
]
_WEEKDAYS = [
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "on Saturday",
    "on Sunday",
    "overnight",
    "earlier today",
]


def person_name(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def headline(rng):
    actor = rng.choice(_ACTORS)
    place = rng.choice(PLACES)
    return f"{actor} {rng.choice(_HEADLINE_VERBS)} {rng.choice(_EVENTS)} in {place}"


def sentence(rng):
    actor = rng.choice(_ACTORS)
    return (
        f"{actor} {rng.choice(_VERBS)} {rng.choice(_EVENTS)} in {rng.choice(PLACES)} "
        f"{rng.choice(_WEEKDAYS)}, according to {rng.choice(SOURCES)}."
    )


def paragraph(rng, sentences=3):
    parts = [sentence(rng)] + [f"{rng.choice(_DETAILS)}." for _ in range(sentences - 1)]
    rng.shuffle(parts)
    return " ".join(parts)


def bio(rng, name, job_title):
    beat = rng.choice(TOPICS).lower()
    return (
        f"{name} is a {job_title.lower()} at the newsroom, covering {beat} and life in "
        f"{rng.choice(PLACES)}. Before joining, {name.split()[0]} worked for regional newspapers."
    )
