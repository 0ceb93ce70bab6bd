"""Word lists the extractive rules share: general English and news vocabulary, no article's own words."""

from __future__ import annotations

# Nouns naming a person by what they do: they turn an entity with such an apposition into a person,
# and a speaker headed by one of them (with no name) is an anonymous source.
PERSON_NOUNS = frozenset(
    """official officials spokesman spokeswoman spokesperson minister president leader researcher analyst
    expert professor director chief head chairman chairwoman chair secretary ambassador diplomat envoy
    general commander officer lawyer attorney prosecutor judge senator governor mayor member lawmaker
    adviser advisor aide coach manager ceo founder executive economist scientist doctor physician author
    editor correspondent reporter journalist source sources witness witnesses resident residents student
    teacher engineer activist candidate representative deputy colonel captain lieutenant sergeant admiral
    king queen prince princess emperor pope bishop priest imam rabbi cleric player striker goalkeeper
    artist singer actor actress writer worker farmer owner producer designer architect curator historian
    spokespeople negotiator mediator observer observers specialist consultant investigator inspector
    chancellor premier vice-president prefect councillor councilor commissioner magistrate sheriff
    superintendent constable ombudsman rapporteur delegate emissary consul counsellor counselor legislator mp
    speaker monarch sultan emir sheikh ayatollah cardinal archbishop rector dean principal chairperson
    co-founder cofounder partner president-elect nurse paramedic firefighter soldier pilot lecturer""".split()
)

# Nouns naming an institution of a country: "<demonym> <noun>" is an actor ("the Ukrainian presidency").
INSTITUTION_NOUNS = frozenset(
    """presidency government intelligence military army navy police ministry media press authorities
    regime officials leadership parliament embassy administration forces diplomacy judiciary court
    prosecutors diplomats security services coastguard""".split()
)

# Institutions that speak for the country itself: merged into it when the country is named.
STATE_NOUNS = frozenset({"government", "regime", "authorities", "leadership", "administration"})
MEDIA_NOUNS = frozenset({"media", "press"})
# Words in the name of a newspaper, an agency or a broadcaster.
MEDIA_WORDS = frozenset(
    """news newspaper newspapers times post journal tribune herald gazette telegraph radio television tv
    broadcasting broadcaster press magazine daily weekly wire channel media newswire agency""".split()
)

# News agencies and outlets whose names carry no media word.
KNOWN_MEDIA = frozenset(
    """afp ap reuters bbc cnn yonhap kcna xinhua tass interfax bloomberg nhk abc nbc cbs npr pbs dpa efe ansa
    itar-tass sputnik rt wikinews guardian cnbc msnbc politico axios ria novosti al jazeera aljazeera fox kyodo
    anadolu irna isna fars tasnim sana wafa mena""".split()
)

GROUP_WORDS = frozenset({"militia", "rebels", "insurgents", "movement", "brigade", "brigades", "militants"})
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady"})
# Capitalised words that begin a title, not a name: "Undersecretary for Education".
TITLE_WORDS = frozenset({"undersecretary", "secretary", "minister", "commissioner", "director", "head", "chief"})

# Words that make a capitalised phrase the name of an organisation.
ORG_WORDS = frozenset(
    """university council ministry department agency committee commission institute institution association
    party union court police army bank company corporation corp inc ltd llc group foundation organisation
    organization office service services authority board society club league federation centre center
    museum municipality government parliament senate congress assembly academy school college hospital
    trust fund network alliance coalition front movement church""".split()
)

# Verbs that report speech: their subject is someone speaking.
SAY_VERBS = frozenset(
    """say tell add claim charge assure state explain report announce confirm deny insist warn note argue allege
    maintain suggest write reiterate accuse predict declare stress emphasise emphasize indicate reveal testify
    comment tweet respond reply conclude acknowledge admit complain concede contend estimate observe promise
    recall remark repeat affirm assert disclose caution vow pledge threaten reaffirm specify clarify lament
    counter retort quip whisper shout inform notify brief assess denounce condemn criticise
    criticize decry hail praise welcome reject dismiss forecast""".split()
)
# Verbs of belief: with a clause, their subject holds a view ("X believes ...").
BELIEF_VERBS = frozenset("believe think hope fear feel suspect doubt consider worry expect reckon".split())
