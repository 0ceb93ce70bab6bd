"""Countries, their other names, demonyms and capitals: general knowledge the actor rules link with.

The table only says what a word may refer to. Whether a demonym or a capital is merged into a country
is decided from the text (the country must itself be named there); see `actors.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# name ; other names ; demonyms ; capital
_TABLE = """
Afghanistan;;Afghan|Afghans|Afghani;Kabul
Albania;;Albanian|Albanians;Tirana
Algeria;;Algerian|Algerians;Algiers
Andorra;;Andorran;Andorra la Vella
Angola;;Angolan|Angolans;Luanda
Argentina;;Argentine|Argentinian|Argentinians|Argentines;Buenos Aires
Armenia;;Armenian|Armenians;Yerevan
Australia;;Australian|Australians;Canberra
Austria;;Austrian|Austrians;Vienna
Azerbaijan;;Azerbaijani|Azerbaijanis|Azeri|Azeris;Baku
Bahrain;;Bahraini|Bahrainis;Manama
Bangladesh;;Bangladeshi|Bangladeshis;Dhaka
Belarus;;Belarusian|Belarusians;Minsk
Belgium;;Belgian|Belgians;Brussels
Benin;;Beninese;Porto-Novo
Bhutan;;Bhutanese;Thimphu
Bolivia;;Bolivian|Bolivians;La Paz
Bosnia and Herzegovina;Bosnia;Bosnian|Bosnians;Sarajevo
Botswana;;Botswanan;Gaborone
Brazil;;Brazilian|Brazilians;Brasilia
Brunei;;Bruneian;Bandar Seri Begawan
Bulgaria;;Bulgarian|Bulgarians;Sofia
Burkina Faso;;Burkinabe;Ouagadougou
Burundi;;Burundian;Gitega
Cambodia;;Cambodian|Cambodians;Phnom Penh
Cameroon;;Cameroonian|Cameroonians;Yaounde
Canada;;Canadian|Canadians;Ottawa
Central African Republic;;Central African;Bangui
Chad;;Chadian|Chadians;N'Djamena
Chile;;Chilean|Chileans;Santiago
China;People's Republic of China|PRC;Chinese;Beijing
Colombia;;Colombian|Colombians;Bogota
Costa Rica;;Costa Rican|Costa Ricans;San Jose
Croatia;;Croatian|Croatians|Croat|Croats;Zagreb
Cuba;;Cuban|Cubans;Havana
Cyprus;;Cypriot|Cypriots;Nicosia
Czech Republic;Czechia;Czech|Czechs;Prague
Democratic Republic of the Congo;DRC|DR Congo;Congolese;Kinshasa
Denmark;;Danish|Dane|Danes;Copenhagen
Djibouti;;Djiboutian;Djibouti
Dominican Republic;;Dominican|Dominicans;Santo Domingo
Ecuador;;Ecuadorian|Ecuadorians;Quito
Egypt;;Egyptian|Egyptians;Cairo
El Salvador;;Salvadoran|Salvadorans;San Salvador
Eritrea;;Eritrean|Eritreans;Asmara
Estonia;;Estonian|Estonians;Tallinn
Ethiopia;;Ethiopian|Ethiopians;Addis Ababa
Fiji;;Fijian|Fijians;Suva
Finland;;Finnish|Finn|Finns;Helsinki
France;;French;Paris
Gabon;;Gabonese;Libreville
Gambia;;Gambian|Gambians;Banjul
Georgia;;Georgian|Georgians;Tbilisi
Germany;;German|Germans;Berlin
Ghana;;Ghanaian|Ghanaians;Accra
Greece;;Greek|Greeks;Athens
Guatemala;;Guatemalan|Guatemalans;Guatemala City
Guinea;;Guinean|Guineans;Conakry
Haiti;;Haitian|Haitians;Port-au-Prince
Honduras;;Honduran|Hondurans;Tegucigalpa
Hungary;;Hungarian|Hungarians;Budapest
Iceland;;Icelandic|Icelander|Icelanders;Reykjavik
India;;Indian|Indians;New Delhi
Indonesia;;Indonesian|Indonesians;Jakarta
Iran;;Iranian|Iranians;Tehran
Iraq;;Iraqi|Iraqis;Baghdad
Ireland;Republic of Ireland;Irish;Dublin
Israel;;Israeli|Israelis;Jerusalem
Italy;;Italian|Italians;Rome
Ivory Coast;Cote d'Ivoire|Côte d'Ivoire;Ivorian|Ivorians;Yamoussoukro
Jamaica;;Jamaican|Jamaicans;Kingston
Japan;;Japanese;Tokyo
Jordan;;Jordanian|Jordanians;Amman
Kazakhstan;;Kazakh|Kazakhs|Kazakhstani;Astana
Kenya;;Kenyan|Kenyans;Nairobi
Kosovo;;Kosovar|Kosovars;Pristina
Kuwait;;Kuwaiti|Kuwaitis;Kuwait City
Kyrgyzstan;;Kyrgyz;Bishkek
Laos;;Laotian|Lao;Vientiane
Latvia;;Latvian|Latvians;Riga
Lebanon;;Lebanese;Beirut
Liberia;;Liberian|Liberians;Monrovia
Libya;;Libyan|Libyans;Tripoli
Liechtenstein;;;Vaduz
Lithuania;;Lithuanian|Lithuanians;Vilnius
Luxembourg;;Luxembourgish|Luxembourger;Luxembourg
Madagascar;;Malagasy;Antananarivo
Malawi;;Malawian|Malawians;Lilongwe
Malaysia;;Malaysian|Malaysians;Kuala Lumpur
Maldives;;Maldivian|Maldivians;Male
Mali;;Malian|Malians;Bamako
Malta;;Maltese;Valletta
Mauritania;;Mauritanian|Mauritanians;Nouakchott
Mauritius;;Mauritian|Mauritians;Port Louis
Mexico;;Mexican|Mexicans;Mexico City
Moldova;;Moldovan|Moldovans;Chisinau
Monaco;;Monegasque;Monaco
Mongolia;;Mongolian|Mongolians;Ulaanbaatar
Montenegro;;Montenegrin|Montenegrins;Podgorica
Morocco;;Moroccan|Moroccans;Rabat
Mozambique;;Mozambican|Mozambicans;Maputo
Myanmar;Burma;Burmese|Myanmarese;Naypyidaw
Namibia;;Namibian|Namibians;Windhoek
Nepal;;Nepali|Nepalese;Kathmandu
Netherlands;Holland;Dutch;Amsterdam
New Zealand;;New Zealander|New Zealanders;Wellington
Nicaragua;;Nicaraguan|Nicaraguans;Managua
Niger;;Nigerien|Nigeriens;Niamey
Nigeria;;Nigerian|Nigerians;Abuja
North Korea;DPRK|Democratic People's Republic of Korea;North Korean|North Koreans;Pyongyang
North Macedonia;Macedonia;Macedonian|Macedonians;Skopje
Norway;;Norwegian|Norwegians;Oslo
Oman;;Omani|Omanis;Muscat
Pakistan;;Pakistani|Pakistanis;Islamabad
Palestine;Palestinian territories|State of Palestine;Palestinian|Palestinians;Ramallah
Panama;;Panamanian|Panamanians;Panama City
Papua New Guinea;;Papua New Guinean;Port Moresby
Paraguay;;Paraguayan|Paraguayans;Asuncion
Peru;;Peruvian|Peruvians;Lima
Philippines;;Filipino|Filipinos|Philippine;Manila
Poland;;Polish|Pole|Poles;Warsaw
Portugal;;Portuguese;Lisbon
Qatar;;Qatari|Qataris;Doha
Republic of the Congo;Congo-Brazzaville;;Brazzaville
Romania;;Romanian|Romanians;Bucharest
Russia;Russian Federation;Russian|Russians;Moscow
Rwanda;;Rwandan|Rwandans;Kigali
Saudi Arabia;;Saudi|Saudis|Saudi Arabian;Riyadh
Senegal;;Senegalese;Dakar
Serbia;;Serbian|Serbians|Serb|Serbs;Belgrade
Sierra Leone;;Sierra Leonean;Freetown
Singapore;;Singaporean|Singaporeans;Singapore
Slovakia;;Slovak|Slovaks|Slovakian;Bratislava
Slovenia;;Slovenian|Slovenians|Slovene;Ljubljana
Somalia;;Somali|Somalis;Mogadishu
South Africa;;South African|South Africans;Pretoria
South Korea;Republic of Korea|ROK;South Korean|South Koreans;Seoul
South Sudan;;South Sudanese;Juba
Spain;;Spanish|Spaniard|Spaniards;Madrid
Sri Lanka;;Sri Lankan|Sri Lankans;Colombo
Sudan;;Sudanese;Khartoum
Sweden;;Swedish|Swede|Swedes;Stockholm
Switzerland;;Swiss;Bern
Syria;;Syrian|Syrians;Damascus
Taiwan;Republic of China;Taiwanese;Taipei
Tajikistan;;Tajik|Tajiks;Dushanbe
Tanzania;;Tanzanian|Tanzanians;Dodoma
Thailand;;Thai|Thais;Bangkok
Togo;;Togolese;Lome
Tunisia;;Tunisian|Tunisians;Tunis
Turkey;Türkiye|Turkiye;Turkish|Turk|Turks;Ankara
Turkmenistan;;Turkmen;Ashgabat
Uganda;;Ugandan|Ugandans;Kampala
Ukraine;;Ukrainian|Ukrainians;Kyiv|Kiev
United Arab Emirates;UAE|U.A.E.|Emirates;Emirati|Emiratis;Abu Dhabi
United Kingdom;UK|U.K.|Britain|Great Britain;British|Briton|Britons;London
United States;US|U.S.|USA|U.S.A.|United States of America|America;American|Americans;Washington
Uruguay;;Uruguayan|Uruguayans;Montevideo
Uzbekistan;;Uzbek|Uzbeks;Tashkent
Venezuela;;Venezuelan|Venezuelans;Caracas
Vietnam;Viet Nam;Vietnamese;Hanoi
Yemen;;Yemeni|Yemenis;Sanaa
Zambia;;Zambian|Zambians;Lusaka
Zimbabwe;;Zimbabwean|Zimbabweans;Harare
"""


@dataclass(frozen=True)
class Country:
    name: str
    names: frozenset[str]  # the name and its other names, lowercased
    demonyms: frozenset[str]
    capitals: frozenset[str]


@dataclass(frozen=True)
class Gazetteer:
    by_name: dict[str, Country]
    by_demonym: dict[str, Country]
    by_capital: dict[str, Country]

    def country(self, text: str) -> Country | None:
        return self.by_name.get(_key(text))

    def demonym(self, text: str) -> Country | None:
        return self.by_demonym.get(_key(text))

    def capital(self, text: str) -> Country | None:
        return self.by_capital.get(_key(text))


def _key(text: str) -> str:
    key = " ".join(text.replace("\u2019", "'").split()).lower()
    return key[4:] if key.startswith("the ") else key


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    by_name: dict[str, Country] = {}
    by_demonym: dict[str, Country] = {}
    by_capital: dict[str, Country] = {}
    for line in _TABLE.strip().splitlines():
        name, others, demonyms, capitals = line.split(";")
        names = {name.lower(), *(o.lower() for o in others.split("|") if o)}
        country = Country(
            name=name,
            names=frozenset(names),
            demonyms=frozenset(d.lower() for d in demonyms.split("|") if d),
            capitals=frozenset(c.lower() for c in capitals.split("|") if c),
        )
        for n in country.names:
            by_name[_key(n)] = country
        for d in country.demonyms:
            by_demonym[d] = country
        for c in country.capitals:
            # A capital that is also a country's name (Singapore, Djibouti) is the country.
            if c not in by_name:
                by_capital[c] = country
    return Gazetteer(by_name, by_demonym, by_capital)
