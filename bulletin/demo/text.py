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

#: What each section reports: who acts, what happens (a phrase that reads after "reports"/"reported") and a
#: detail a story of that kind would add. A story's headline, summary and first sentence are made from the same
#: draw (story_lines), so the summary tells the headline's story.
BEATS = {
    "War": (
        ["The General Staff", "The regional governor", "A military spokesperson", "The emergency service"],
        [
            "an overnight drone attack",
            "the evacuation of frontline villages",
            "shelling of residential areas",
            "the downing of a cruise missile",
            "a prisoner exchange",
            "a strike on an ammunition depot",
        ],
        [
            "No casualties were reported",
            "Several people were injured, according to preliminary information",
            "Residents were urged to stay in shelters",
            "The figures could not be independently verified",
        ],
    ),
    "Politics": (
        ["Parliament", "The prime minister", "The city council", "The prosecutor general's office"],
        [
            "a vote on the wartime budget",
            "the dismissal of a deputy minister",
            "new rules for public procurement",
            "the arrest of officials suspected of bribery",
            "a reform of local elections",
        ],
        [
            "The decision still needs the president's signature",
            "Opposition deputies voted against",
            "Officials promised an update later in the day",
        ],
    ),
    "Business": (
        ["The National Bank", "The Energy Ministry", "The state railway company", "The agriculture ministry"],
        [
            "a record harvest forecast",
            "the restoration of power to thousands of homes",
            "a cut in the key interest rate",
            "the reopening of a rail freight line",
            "new funding for small businesses",
        ],
        [
            "Analysts expect prices to stabilize",
            "Exporters welcomed the move",
            "The work is expected to take several weeks",
            "Power was restored within hours",
        ],
    ),
    "Europe": (
        ["The foreign minister", "The European Commission", "The government's EU envoy"],
        [
            "talks with European partners",
            "a new package of military aid",
            "progress on EU accession talks",
            "an extension of sanctions",
        ],
        ["Diplomats expect a decision next month", "The package still needs the approval of member states"],
    ),
    "Society": (
        ["The mayor", "The health ministry", "The education ministry", "Volunteers"],
        [
            "the opening of a new school shelter",
            "a plan to rebuild the water supply",
            "free rehabilitation for veterans",
            "new housing for displaced families",
            "the delivery of generators to hospitals",
        ],
        [
            "Volunteers delivered food and water",
            "Parents welcomed the news",
            "The first families are due to move in this winter",
        ],
    ),
    "Culture": (
        ["The culture ministry", "The national museum", "A group of writers", "The city theater"],
        [
            "the return of artworks evacuated at the start of the war",
            "a festival of new Ukrainian film",
            "the restoration of a bombed library",
            "a concert for the city's defenders",
        ],
        ["Tickets sold out within hours", "Admission is free for soldiers and their families"],
    ),
    "Investigations": (
        ["Our investigative desk", "Anti-corruption investigators", "Auditors"],
        [
            "overpriced contracts for army food",
            "a network of shell companies bidding for reconstruction work",
            "missing funds for bomb shelters",
        ],
        ["The companies did not answer requests for comment", "The documents were seen by our reporters"],
    ),
    "Opinion": (
        ["Our columnist", "A guest contributor", "The editorial board"],
        [
            "the case for faster reconstruction",
            "why air defense comes before everything else",
            "what the harvest tells us about resilience",
        ],
        ["The views are the author's own"],
    ),
}
#: How often each section is drawn: a day of a war newsroom, mostly war, politics and business.
SECTION_WEIGHTS = {
    "War": 30,
    "Politics": 16,
    "Business": 14,
    "Europe": 10,
    "Society": 14,
    "Culture": 6,
    "Investigations": 4,
    "Opinion": 6,
}
# Neutral verbs only: every event above must read naturally after each of them.
_VERBS = ["reported", "confirmed", "announced", "described"]
_HEADLINE_VERBS = ["reports", "confirms", "announces"]
_DETAILS = sorted({detail for _, _, details in BEATS.values() for detail in details})
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


def story_lines(rng, section):
    """(headline, summary, lead sentence) of one generated story in ``section``, all about one event."""
    actors, events, details = BEATS[section]
    # Abroad only for European news; everything else happens at home.
    places = PLACES[-3:] if section == "Europe" else PLACES[:-3]
    actor, event, place = rng.choice(actors), rng.choice(events), rng.choice(places)
    when, source = rng.choice(_WEEKDAYS), rng.choice(SOURCES)
    headline = f"{actor} {rng.choice(_HEADLINE_VERBS)} {event} in {place}"
    summary = f"{actor} {rng.choice(_VERBS)} {event} in {place} {when}. {rng.choice(details)}."
    lead = f"{actor} {rng.choice(_VERBS)} {event} in {place} {when}, according to {source}."
    return headline, summary, lead


def pick_section(rng, sections):
    """One of ``sections`` (Section objects), drawn by SECTION_WEIGHTS; sections without a weight count 5."""
    return rng.choices(sections, weights=[SECTION_WEIGHTS.get(s.name, 5) for s in sections])[0]


def sentence(rng):
    section = rng.choice(list(BEATS))
    return story_lines(rng, section)[2]


def paragraph(rng, sentences=3, lead=None):
    """A paragraph of ``sentences`` sentences; with ``lead``, that sentence first and details after it."""
    details = [f"{rng.choice(_DETAILS)}." for _ in range(sentences - 1)]
    if lead:
        return " ".join([lead, *details])
    parts = [sentence(rng), *details]
    rng.shuffle(parts)
    return " ".join(parts)


def bio(rng, name, job_title):
    beat = rng.choice(TOPICS).lower()
    return (
        f"{name} is a {job_title.lower()} at the newsroom, covering {beat} and life in "
        f"{rng.choice(PLACES)}. Before joining, {name.split()[0]} worked for regional newspapers."
    )
