"""A seeded generator of realistic, entirely fictional news articles, for benchmarks.

Every word comes from the templates and word lists below, written for this project: fictional
countries, cities, people, organisations and outlets; numbers with units and qualifiers; dates,
months, years and ranges near the publication date; attributions ("According to <outlet>, ...",
"<Person>, the <title> of <org>, said that ..."), inline quotations, opinion, rumour and questions;
and what a scraper leaves behind: a heading line, one paragraph per line, embedded posts flattened
into the text (``body\\n— Name (@handle) May 27, 2023``, signatures glued after a
``pic.twitter.com`` link, links glued to the previous word) and page furniture ("Advertisement").

Article ``i`` of seed ``s`` depends only on ``(s, i)``, so any slice of a corpus can be rebuilt, or
generated in parallel, on its own. Lengths run from 150 to 1,500 words, median about 500.

    python benchmarks/lib/corpus.py 1000 --seed 0 --out corpus.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


def _words(spec: str) -> list[str]:
    """A word list written as ``a | b | c`` (spread over lines as needed)."""
    return [" ".join(w.split()) for w in spec.split("|") if w.strip()]


# -- word lists ------------------------------------------------------------------------------

COUNTRIES = _words("""
    Valmora | Estrelia | Korvana | Dravonia | Sarenta | Ostravel | Lumeria | Barcana | Tessaly |
    Norrland | Quivera | Alcadia | Merovia | Zantara | Pellonia | Ardessa | Vintara | Kelmora |
    Solvania | Rivadel | Castellan | Ombria | Tirvana | Halvania | Mardessa | Corvel | Eskaria |
    Belmora | Gorlava | Idravia""")
CITY_START = _words(
    "San | Santa | Port | Nova | Villa | Puerto | Fort | Saint | Alta | Nueva | Bel | Monte | "
    "Riva | Lago | Costa"
)
CITY_ROOT = _words("""
    Lucía | Marcos | Aurelio | Verde | Claro | Esperanza | Bravo | Rosal | Dorado | Mira | Castel |
    Laurent | Oriol | Tamar | Selva | Bruna | Vesta | Calma | Nieve | Sorel | Amber | Cedar |
    Halden | Kessel | Linden | Morrow | Ashford | Brant""")
CITY_SINGLE = _words("""
    Arkhaven | Dunmere | Velstrand | Korsa | Trebin | Ostmark | Halvik | Jarnsted | Miravel |
    Calderon | Pelagos | Ruthven | Saltmarsh | Vyborne | Westcliff | Zamora | Bramholt | Eldingen |
    Farrow | Gresca | Lisvar | Montclare | Norwick | Oberlin""")
FIRST_NAMES = _words("""
    Teresa | Henrik | Marisol | Amara | Jonas | Ines | Kwame | Lucia | Dmitri | Aiko | Rafael |
    Nadia | Tomasz | Elena | Samuel | Leila | Oskar | Priya | Mateo | Freya | Ibrahim | Carmen |
    Viktor | Yara | Andres | Hana | Emeka | Sofia | Lars | Mirela | Tobias | Zainab | Pablo |
    Ingrid | Kofi | Beatriz | Anton | Salma | Ruben | Greta | Julian | Ayesha | Felix | Marta |
    Nikolai | Adaeze | Hugo | Camila | Stefan | Noor""")
SURNAMES = _words("""
    Oyelaran | Dahl | Quintero | Varga | Moreau | Okafor | Lindqvist | Ferreira | Castellanos |
    Novak | Haddad | Brennan | Takahashi | Mensah | Ivanova | Rossetti | Achterberg | Salazar |
    Kowalczyk | Nakamura | Adeyemi | Petrov | Almeida | Holm | Delacroix | Mwangi | Serrano |
    Virtanen | Obradovic | Carvalho | Eriksen | Benali | Fonseca | Grimaldi | Jovanovic | Keller |
    Lopes | Marchetti | Nwosu | Ortega | Pavlenko | Ramos | Sandoval | Toivonen | Uribe | Valdez |
    Weiss | Zaragoza""")
PAPER_NAMES = _words("Courier | Herald | Gazette | Tribune | Post | Chronicle | Observer")
NATIONAL_NAMES = _words("Daily | Today | Weekly | Times | Monitor | Press Agency | News Network")
SPANISH_NAMES = _words("El Faro del Sur | El Eco del Norte | El Diario del Este | El Vigía")
INDEPENDENT_NAMES = _words("La Lupa | The Ledger | Open Dispatch | Il Faro | The Fact Desk")
SECTIONS = _words("news | politics | world | economy | regional | society | investigations")
MONTHS = _words("""
    January | February | March | April | May | June | July | August | September | October |
    November | December""")
MONTHS_SHORT = _words(
    "Jan. | Feb. | March | April | May | June | July | Aug. | Sept. | Oct. | Nov. | Dec."
)
WEEKDAYS = _words("Monday | Tuesday | Wednesday | Thursday | Friday | Saturday | Sunday")
NUMBER_WORDS = _words("""
    two | three | four | five | six | seven | eight | nine | ten | eleven | twelve | fifteen |
    twenty | thirty | forty | fifty | a hundred | a dozen | several hundred""")
QUALIFIERS = [
    ("", 8), ("approximately ", 2), ("about ", 2), ("around ", 2), ("nearly ", 1),
    ("more than ", 3), ("over ", 2), ("at least ", 2), ("less than ", 1), ("fewer than ", 1),
    ("up to ", 2), ("an estimated ", 2), ("almost ", 1), ("some ", 1), ("at most ", 1),
    ("roughly ", 1),
]  # fmt: skip
SAY = _words("""
    said | stated | told reporters | claimed | insisted | argued | warned | confirmed | announced |
    acknowledged | added | noted | wrote | told this newspaper""")
REPORT = _words("reported | revealed | said | found | estimated | published | claimed | showed")
RISE = _words("rose | fell | increased | dropped | grew | declined | climbed | jumped | doubled")
DO = _words("""
    approved | signed | announced | cancelled | suspended | postponed | launched | blocked |
    rejected | extended | delayed | completed | reviewed""")
HEDGES = _words("Reportedly, | Allegedly, | Apparently, | It is believed that | Some say that")
OPINIONS = _words("""
    This is a scandal and the press is silent | Nobody in this government has the courage to say
    it | It is hard to see this as anything but a betrayal | The figures speak for themselves |
    Frankly, the whole affair smells of incompetence | This was always going to end badly |
    What a disgrace | Once again, ordinary people pay the price | We have seen this film before |
    Enough is enough | The silence from the ministry is deafening | Some will call it reform; most
    will call it a giveaway | Nobody should be surprised | Let that sink in""")
POST_OPENERS = _words("""
    Unbelievable | Look at this | Nobody asked us | Thread | BREAKING | Watch | They promised |
    Shameful | Finally | Read it yourself | We were there | Just in | Remember this when you vote |
    Again | Important""")
FURNITURE = _words("""
    Advertisement | ADVERTISEMENT | Share this article | Subscribe to our newsletter |
    Continue reading below | Follow us on social media | (Photo: file) |
    Sign up for our daily briefing | Read more: | Related: | Also read:""")
URL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# Each beat: institutions, titles, counted things, projects that cost money, issues and events.
TOPICS: dict[str, dict[str, list[str]]] = {
    "infrastructure": {
        "bodies": _words("Ministry of Public Works | National Port Authority | Transport Agency |"
                         "Roads Directorate | Public Works Commission"),
        "companies": _words("Maritime Group | Construction Holdings | Rail Consortium |"
                            "Engineering Partners | Logistics Group"),
        "groups": _words("Port Workers Federation | Residents' Association | Engineers' Guild |"
                         "Dockworkers Union"),
        "titles": _words("minister of public works | head of the port authority | chief engineer |"
                         "transport secretary | project director"),
        "counts": _words("jobs | workers | families | households | trucks | containers | cranes |"
                         "kilometres of road | bridges | stations | passengers a day |"
                         "tonnes of cargo"),
        "projects": _words("the concession | the new terminal | the bridge | the rail line |"
                           "the dredging contract | the ring road | the airport expansion"),
        "issues": _words("the container terminal | the northern channel | the coastal highway |"
                         "the new metro line | the airport runway | the cargo rail link"),
        "events": _words("the tender | the concession vote | the groundbreaking | the audit |"
                         "the feasibility study"),
    },
    "elections": {
        "bodies": _words("Electoral Commission | National Assembly | Constitutional Court |"
                         "Senate | Election Observation Mission"),
        "companies": _words("Polling Institute | Data Services | Strategy Group | Media Group"),
        "groups": _words("Civic Alliance | Democratic Front | People's Movement | Green Union |"
                         "Reform Party | Liberal Coalition"),
        "titles": _words("party leader | electoral commissioner | spokesperson |"
                         "campaign manager | senator | deputy"),
        "counts": _words("votes | voters | polling stations | seats | ballots | complaints |"
                         "observers | registered voters | abstentions | districts"),
        "projects": _words("the campaign | the election budget | the new voting machines |"
                           "the party's advertising | the recount"),
        "issues": _words("the runoff | the recount | the voter roll | the first round |"
                         "the electoral map | the referendum"),
        "events": _words("the first round | the televised debate | the recount | the runoff |"
                         "the referendum"),
    },
    "health": {
        "bodies": _words("Ministry of Health | National Health Institute | Medicines Agency |"
                         "Public Health Service | Hospital Board"),
        "companies": _words("Pharmaceuticals | Medical Supplies | Biotech Labs | Health Partners"),
        "groups": _words("Nurses' Union | Medical Association | Patients' Federation |"
                         "Doctors Without Limits"),
        "titles": _words("health minister | chief medical officer | hospital director |"
                         "epidemiologist | head of the nurses' union"),
        "counts": _words("patients | cases | hospital beds | doses | nurses | doctors | deaths |"
                         "clinics | tests | admissions | ventilators"),
        "projects": _words("the vaccine contract | the new hospital | the health budget |"
                           "the emergency fund | the testing programme"),
        "issues": _words("the vaccination campaign | the outbreak | the waiting lists |"
                         "the regional hospital | the screening programme"),
        "events": _words("the outbreak | the vaccination campaign | the hospital strike |"
                         "the emergency declaration"),
    },
    "energy": {
        "bodies": _words("Ministry of Energy | Energy Regulator | National Grid Operator |"
                         "Mining Authority"),
        "companies": _words("Power Company | Energy Holdings | Oil and Gas | Solar Partners |"
                            "Mining Corporation"),
        "groups": _words("Consumers' League | Miners' Union | Clean Air Coalition |"
                         "Farmers' Cooperative"),
        "titles": _words("energy minister | chief executive | director of the grid operator |"
                         "chair of the regulator | mining engineer"),
        "counts": _words("megawatts | barrels a day | households | turbines | solar panels |"
                         "tonnes of coal | power cuts | homes without electricity | wells"),
        "projects": _words("the power plant | the pipeline | the wind farm | the subsidy scheme |"
                           "the new refinery | the grid upgrade"),
        "issues": _words("electricity prices | the fuel subsidy | the offshore wind farm |"
                         "the gas pipeline | the lithium mine"),
        "events": _words("the blackout | the tariff increase | the mine collapse |"
                         "the pipeline leak"),
    },
    "conflict": {
        "bodies": _words("Ministry of Defence | Joint Chiefs of Staff | Border Guard |"
                         "Security Council | Red Cross delegation"),
        "companies": _words("Defence Systems | Aerospace Industries | Security Services"),
        "groups": _words("Liberation Front | Veterans' Association | Refugee Committee |"
                         "Human Rights Watchers | Mothers of the Disappeared"),
        "titles": _words("defence minister | general | military spokesperson | UN envoy |"
                         "border commander | human rights investigator"),
        "counts": _words("troops | soldiers | refugees | civilians | drones | tanks | casualties |"
                         "displaced people | prisoners | missiles | checkpoints"),
        "projects": _words("the arms deal | the military aid package | the reconstruction fund |"
                           "the new fighter jets | the border wall"),
        "issues": _words("the ceasefire | the border crossing | the peace talks |"
                         "the humanitarian corridor | the military exercises"),
        "events": _words("the offensive | the ceasefire | the prisoner exchange |"
                         "the peace talks | the shelling"),
    },
    "economy": {
        "bodies": _words("Central Bank | Ministry of Finance | Statistics Office | Tax Agency |"
                         "Competition Authority"),
        "companies": _words("Bank | Trading Company | Textiles | Investment Fund |"
                            "Agro Industries"),
        "groups": _words("Chamber of Commerce | Trade Union Confederation |"
                         "Small Business Alliance | Retailers' Association"),
        "titles": _words("finance minister | central bank governor | chief economist |"
                         "tax commissioner | union leader"),
        "counts": _words("jobs | companies | unemployed people | exporters | shops | loans |"
                         "tonnes of coffee | tourists | pensioners | new businesses"),
        "projects": _words("the bailout | the stimulus package | the tax reform |"
                           "the pension reform | the loan | the public debt"),
        "issues": _words("inflation | the exchange rate | the minimum wage | unemployment |"
                         "the budget deficit | food prices"),
        "events": _words("the devaluation | the budget vote | the general strike |"
                         "the bank run | the debt restructuring"),
    },
    "environment": {
        "bodies": _words("Ministry of Environment | Forestry Service | Water Authority |"
                         "National Parks Service"),
        "companies": _words("Timber Company | Agribusiness | Fisheries Group | Chemicals"),
        "groups": _words("Green Coast Watch | Friends of the River | Indigenous Council |"
                         "Fishermen's Cooperative | Climate Youth"),
        "titles": _words("environment minister | forest ranger | marine biologist |"
                         "park director | campaigner"),
        "counts": _words("hectares | species | trees | tonnes of waste | fish | litres of water |"
                         "square kilometres | migratory birds | wildfires | dead dolphins"),
        "projects": _words("the reforestation plan | the water treatment plant | the clean-up |"
                           "the carbon credit scheme | the dam"),
        "issues": _words("the mangroves | the river basin | deforestation | the drought |"
                         "the oil spill | air quality"),
        "events": _words("the oil spill | the wildfire season | the flood | the drought |"
                         "the fish kill"),
    },
    "justice": {
        "bodies": _words("Supreme Court | Attorney General's Office | Anti-Corruption Agency |"
                         "National Police | Prison Service"),
        "companies": _words("Law Firm | Consulting Group | Private Security"),
        "groups": _words("Bar Association | Transparency Network | Press Freedom Foundation |"
                         "Prisoners' Families Association"),
        "titles": _words("attorney general | judge | prosecutor | defence lawyer |"
                         "police chief | anti-corruption commissioner"),
        "counts": _words("arrests | defendants | witnesses | inmates | cases | complaints |"
                         "officers | journalists | convictions | years in prison"),
        "projects": _words("the bribes | the settlement | the fine | the seized assets |"
                           "the missing funds"),
        "issues": _words("the trial | the investigation | the extradition request |"
                         "the appeal | the verdict"),
        "events": _words("the raid | the trial | the verdict | the hearing | the arrests"),
    },
    "education": {
        "bodies": _words("Ministry of Education | University Council | School Inspectorate |"
                         "Examinations Board"),
        "companies": _words("Learning Systems | Publishing House | EdTech"),
        "groups": _words("Teachers' Union | Students' Federation | Parents' Association"),
        "titles": _words("education minister | rector | head teacher | teachers' union leader |"
                         "student representative"),
        "counts": _words("students | teachers | schools | classrooms | scholarships | graduates |"
                         "laptops | textbooks | pupils | exam papers"),
        "projects": _words("the school meals programme | the new campus | the scholarship fund |"
                           "the laptop programme | the teachers' pay rise"),
        "issues": _words("the national exams | the curriculum reform | the teachers' strike |"
                         "the school year | university fees"),
        "events": _words("the strike | the exam leak | the reform vote | the protest march"),
    },
    "technology": {
        "bodies": _words("Telecommunications Regulator | Data Protection Authority |"
                         "Cybersecurity Agency | Ministry of Digital Affairs"),
        "companies": _words("Telecom | Networks | Cloud Services | Semiconductors | Software"),
        "groups": _words("Digital Rights Collective | Open Internet Society | Consumers' League"),
        "titles": _words("digital minister | chief technology officer | chair of the regulator |"
                         "security researcher | founder"),
        "counts": _words("users | accounts | antennas | subscribers | servers | records |"
                         "engineers | terabytes | apps | towers"),
        "projects": _words("the 5G auction | the data centre | the chip factory |"
                           "the surveillance contract | the broadband plan"),
        "issues": _words("the data breach | the internet shutdown | the spectrum auction |"
                         "the new privacy law | the outage"),
        "events": _words("the outage | the data breach | the auction | the shutdown"),
    },
}  # fmt: skip
TOPIC_NAMES = list(TOPICS)


# -- templates ------------------------------------------------------------------------------------
# A template is text with {slot}s; each slot is an Article method that returns a fresh fill, so one
# template gives thousands of sentences. Clauses start lower-case and carry no final stop.

_SLOT = re.compile(r"\{(\w+)\}")
Template = tuple[Any, ...]  # literal strings and slot names, alternating (literal first)


def _templates(spec: str) -> list[Template]:
    """Templates written one per line; a line starting with ``+`` continues the previous one."""
    lines: list[str] = []
    for raw in spec.strip().splitlines():
        line = raw.strip()
        if line.startswith("+") and lines:
            lines[-1] += " " + line[1:].strip()
        elif line:
            lines.append(line)
    return [tuple(_SLOT.split(line)) for line in lines]


CLAUSES = _templates("""
    {issue} will create {count}
    {org} spent {money} on {project}
    no public money will be spent on {project}
    the number of {countnoun} {rise} by {pct} {range}
    {project} is worth {money}
    {count} were affected in {place}
    {person} met {company} executives in {city} {date}
    {project} had been planned {range}
    the {body} {do} {event} {date}
    {qual}{pct} of {countnoun} in {place} were never counted
    {company} has {adverb} {lobbied} {person}
    {event} was {verdict}
    {count} {moved} {date}
    {country} {owes} {other} {money}
    the {body} knew about {issue} {date}
    {project} will cost {money} and take {nword} years
    the figures for {issue} {figures}
    {person} {personal}
    {count} {moved} in {place} {range}
    {other} {offered} {money} for {project}
    {issue} has cost {country} {money} since {pastyear}
    the {group} counted {count} in {city} alone
    at least {nword} of the {countnoun} {moved} {date}
    {project} was {do} after {count} {protested}
    the {body} will publish its report on {issue} {date}
""")

FACTS = _templates("""
    The {body} {do} {project} {date}, a project worth {money}.
    {project} was approved by the {chamber} {date} with {votes} votes for, {votes2} votes against,
    + and {nword} abstentions.
    Under the agreement, {company} will operate {project} {range}.
    The company must also invest {money} in {project} before the end of {futureyear}.
    In {place}, {count} {recorded} {date}.
    {issue} {rise} {pct} {range}, the {body} said.
    {country} has {count}, {ratio} the number in {other}.
    About {pct} of {countnoun} in {place} depend on {issue}.
    {titled} {say} that {clause}.
    The project covers {qual}{area} and employs {qual}{number} people.
    {event} took place {date} in {place}, where {qual}{number} people had gathered.
    The {body} has not released {document} of {event}.
    Since {pastyear}, {count} have {left} {issue}.
    {company} {report} a {profitloss} of {money} {range}.
    Officials in {city} said {count} {waiting} as of {pubday}.
    {issue} is expected to last {qual}{nword} {durations}.
    The {body} {do} {project} {date}.
    {company}, which won the contract {date}, employs {number} people in {country}.
    {project} was first proposed in {pastyear} and was estimated to cost {money}.
    The vote is scheduled {date}, {nword} weeks after {event}.
    {count} in {city} {waiting} {range}.
    Between {pastyear} and {year}, {countnoun} {rise} from {number} to {number}.
    The {group} has {number} members, {qual}{pct} of them in {city}.
    {person}'s office said {count} {moved} {date}.
    On {weekday}, the {body} {do} {event} for {nword} days.
""")

SAID = _templates("""
    {titled} {say} that {clause}.
    {clause}, {person} {say} {date}.
    {person} has {adverb} stated that {clause} and that {clause}.
    The {group} {report} that {clause}, a figure the {body} disputes.
    In a statement, {company} {say} that {clause}.
    {person} told {outlet} that {clause}.
    {clause}, {person} {say}, adding that {clause}.
    Speaking in {city} {date}, {titled} {say} that {clause}.
    {person} {denied} that {clause}.
""")

ACCORDING = _templates("""
    According to {source}, {clause}.
    According to {source}, {clause} and {clause}.
    As reported by {source}, {clause}.
    Citing {source}, {outlet} {report} that {clause}.
    {clause}, according to {source}.
    According to figures from the {body}, {count} {recorded} {range}.
    {outlet} {report} {date} that {clause}.
""")

QUOTES = _templates("""
    {titled} said the {speakerbody} {vpquote} and that {clause}.
    {quotecap}, {person} {say}.
    {quote2} said {person}, {persontitle} of the {anyorg}.
    "We will not accept {event} without a proper debate," {person} {say} {date}.
    {person} described {project} as "{verdict}" and said {clause}.
""")

OPINION = _templates("""
    {opinion}.
    {opinion}!
    {opinion}
    {hedge} {clause}.
    There are rumors that {clause}, although no evidence has been published.
    Some say {clause}, but the claim could not be verified.
    It is whispered in {city} that {clause}.
    Unconfirmed reports suggest {clause}.
    Posts shared widely on social media claim that {clause}; {outlet} found no evidence of it.
    Many believe {clause}, a claim the {body} has called false.
    A rumour that {clause} spread quickly on messaging apps.
    It would be naive to think that {clause}.
    In my view, {clause}, and everyone knows it.
""")

QUESTIONS = _templates("""
    Why is nobody asking who really paid for {project}?
    Who will pay for {project}?
    How can {count} simply disappear?
    Did the {body} know about {issue} {date}?
    What happens to {count} when {issue} ends?
    Is {project} really worth {money}?
    Where did the money for {project} go?
    Why did the {body} wait until {month} to act?
""")

CRITICS = _templates("""
    Critics point to the timing: {clause}.
    Opposition {opposition} have called for {demand}.
    The {group} warned that {issue} could {harm} {count}.
    The {body} did not respond to a request for comment.
    {company} declined to comment.
    Residents of {city} have been told {bad} {date}.
    {company} did not reply to questions sent {date}.
    {other}'s government has so far stayed silent on {issue}.
""")

HEADLINES = _templates("""
    {country} {do} {project} worth {money}
    {issue}: what we know so far
    {person} under pressure over {issue}
    {event} in {city} leaves {count} waiting
    Questions grow over {project} in {country}
    {group} says {clause}
    Why {issue} matters for {country}
    {count} and counting: inside {event}
    {body} {do} {project} amid protests
""")

POST_BODIES = _templates("""
    {opener}: {clause}
    {clausecap}
    {clausecap}. {opinion}
    {opener}. {clausecap}!
    {clausecap} #{country}
    {hedge} {clause}. {opinion}
""")

FILLS: dict[str, list[str]] = {
    "adverb": _words("repeatedly | publicly | quietly | never | often | already"),
    "lobbied": _words("paid | lobbied | met | funded | hired | advised"),
    "verdict": _words(
        "illegal | rigged | unnecessary | a success | delayed on purpose | "
        "a disaster | overdue | a fraud | a historic step"
    ),
    "moved": _words(
        "were moved | had left | arrived | were registered | were lost | "
        "were evacuated | were released"
    ),
    "owes": _words("owes | paid | lent | promised | still owes"),
    "figures": _words(
        "were inflated | were never published | have been revised | do not add up | were leaked"
    ),
    "personal": _words(
        "will resign | was not consulted | signed the contract | "
        "had opposed the plan | owns shares in the company | lied to the press"
    ),
    "offered": _words("offered | pledged | demanded | refused to pay"),
    "protested": _words("protested | signed a petition | went on strike | filed complaints"),
    "chamber": _words("National Assembly | Senate | city council | regional parliament"),
    "recorded": _words("were reported | have been recorded | were counted | were confirmed"),
    "ratio": _words("twice | three times | half | a third of | four times"),
    "area": _words(
        "14 kilometres | 300 hectares | 2.5 square kilometres | 40 miles | "
        "1,200 square metres | 85 km | 6,000 acres"
    ),
    "document": _words(
        "the minutes | the contract | the full report | its own figures | the audit"
    ),
    "left": _words("left | joined | been added to | disappeared from | been cut from"),
    "profitloss": _words("profit | loss | net profit | operating loss"),
    "waiting": _words(
        "were evacuated | lost their jobs | signed the petition | were waiting | "
        "were without water | had applied"
    ),
    "durations": _words("months | weeks | years | days"),
    "denied": _words("denied | rejected claims | disputed reports | dismissed suggestions"),
    "speakerbody": _words("company | ministry | government | union | agency | court"),
    "opposition": _words("deputies | leaders | groups | senators | mayors"),
    "demand": _words(
        "an audit | an inquiry | a vote | the minister to resign | "
        "the contract to be published | new elections"
    ),
    "harm": _words("damage | delay | threaten | double | wipe out | displace"),
    "bad": _words(
        "their contracts end | the road closes | the water will be cut | "
        "the clinic will close | the school will shut | rents will rise"
    ),
    "opener": POST_OPENERS,
    "opinion": OPINIONS,
    "hedge": HEDGES,
    "say": SAY,
    "report": REPORT,
    "rise": RISE,
    "do": DO,
    "nword": NUMBER_WORDS,
    "month": MONTHS,
    "weekday": WEEKDAYS,
}

QUOTE_TEXTS = _templates("""
    has complied with every {kind} requirement
    we will not accept {event} without a proper debate
    {count} is not a small number
    nobody has shown us the contract
    this is the best deal {country} has ever signed
    the {body} acted within the law
    we were never consulted
    the money for {project} simply disappeared
    we have nothing to hide
    {issue} is under control
    the numbers are wrong and they know it
""")
VP_QUOTES = _templates("""
    has complied with every {kind} requirement
    acted within the law
    has nothing to hide
    was never consulted
    will not accept {event} without a proper debate
    knew about {issue} from the start
    is ready to cooperate with the {body}
""")
FILLS["kind"] = _words("environmental | legal | safety | financial")


# -- the article's random source, cast and fills ---------------------------------------------


class Rng(random.Random):
    """``random.Random`` with cheaper choice and randint (seeded, reproducible, not uniform to the
    last bit: fine for text, and about three times faster than the rejection sampler)."""

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def below(self, n: int) -> int:
        return int(self.random() * n)


def _slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(p for p in out.split("-") if p)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _short_id(r: Rng, n: int = 10) -> str:
    return "".join([URL_CHARS[int(r.random() * 62)] for _ in range(n)])


def _city(r: Rng) -> str:
    if r.random() < 0.45:
        return r.choice(CITY_SINGLE)
    return f"{r.choice(CITY_START)} {r.choice(CITY_ROOT)}"


def _outlet(r: Rng, country: str) -> str:
    form = r.below(6)
    if form == 0:
        return f"The {_city(r)} {r.choice(PAPER_NAMES)}"
    if form == 1:
        return f"{country} {r.choice(NATIONAL_NAMES)}"
    if form == 2:
        return r.choice(SPANISH_NAMES)
    if form == 3:
        return f"Radio {r.choice(['Libre', 'Nacional', 'Costa', _city(r).split()[-1]])}"
    if form == 4:
        return r.choice(INDEPENDENT_NAMES)
    return f"Channel {r.randint(2, 12)} {country}"


class Person:
    """A person in the article: name, title, organisation and social handle."""

    __slots__ = ("first", "handle", "last", "org", "title")

    def __init__(self, r: Rng, title: str, org: str) -> None:
        self.first, self.last, self.title, self.org = (
            r.choice(FIRST_NAMES),
            r.choice(SURNAMES),
            title,
            org,
        )
        style = r.below(4)
        if style == 0:
            handle = f"{self.first[0].lower()}{self.last.lower()}"
        elif style == 1:
            handle = f"{self.first.lower()}_{self.last.lower()}"
        elif style == 2:
            handle = f"{self.first}{self.last}"
        else:
            handle = f"{self.last}{r.randint(1, 99)}"
        self.handle = "@" + handle[:15]

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


class Article:
    """One article being written: its random source, cast, places and dates, and the slot fills."""

    def __init__(self, r: Rng, topic: str, published: dt.date) -> None:
        self.r, self.topic, self.published = r, topic, published
        t = TOPICS[topic]
        self.t = t
        self.country_ = r.choice(COUNTRIES)
        self.other_ = r.choice([c for c in COUNTRIES if c != self.country_])
        self.cities = [_city(r) for _ in range(3)]
        owner = r.choice([_city(r).split()[-1], r.choice(SURNAMES), "Norvik", "Atlas", "Meridian"])
        self.company_ = f"{owner} {r.choice(t['companies'])}"
        self.body_ = r.choice(t["bodies"])
        self.group_ = r.choice(t["groups"])
        self.orgs = [self.body_, self.group_, self.company_]
        self.outlets = [_outlet(r, self.country_) for _ in range(3)]
        self.people = [
            Person(r, r.choice(t["titles"]), f"the {r.choice(self.orgs)}") for _ in range(4)
        ]
        self.mentioned = [False] * len(self.people)
        self.currency = self.country_[:4].lower() + "os"

    def render(self, template: Template) -> str:
        """Fill a template's slots."""
        out = []
        for i, part in enumerate(template):
            if i % 2 == 0:
                out.append(part)
            else:
                words = FILLS.get(part)
                out.append(self.r.choice(words) if words else getattr(self, part)())
        return "".join(out)

    def sentence(self, templates: list[Template]) -> str:
        return _cap(self.render(self.r.choice(templates)))

    # -- slots ---------------------------------------------------------------------------------
    def clause(self) -> str:
        return self.render(self.r.choice(CLAUSES))

    def clausecap(self) -> str:
        return _cap(self.clause())

    def country(self) -> str:
        return self.country_

    def other(self) -> str:
        return self.other_

    def city(self) -> str:
        return self.r.choice(self.cities)

    def body(self) -> str:
        return self.body_

    def group(self) -> str:
        return self.group_

    def company(self) -> str:
        return self.company_

    def org(self) -> str:
        return self.r.choice([f"the {self.body_}", f"the {self.group_}", self.company_])

    def anyorg(self) -> str:
        return self.r.choice(self.orgs)

    def outlet(self) -> str:
        return self.r.choice(self.outlets)

    def source(self) -> str:
        r = self.r
        if r.random() < 0.5:
            return r.choice(self.outlets)
        form = r.below(6)
        if form == 0:
            return f"the {self.body_}"
        if form == 1:
            return f"the {self.group_}"
        if form == 2:
            return f"a report by the {self.group_}"
        if form == 3:
            return f"the newspaper {r.choice(self.outlets)}"
        if form == 4:
            return f"sources close to the {self.body_}"
        return "local media"

    def project(self) -> str:
        return self.r.choice(self.t["projects"])

    def issue(self) -> str:
        return self.r.choice(self.t["issues"])

    def event(self) -> str:
        return self.r.choice(self.t["events"])

    def countnoun(self) -> str:
        return self.r.choice(self.t["counts"])

    def person(self) -> str:
        """A person: full name on first mention, usually the surname after."""
        i = self.r.below(len(self.people))
        p = self.people[i]
        if self.mentioned[i] and self.r.random() < 0.7:
            return p.last
        self.mentioned[i] = True
        return p.full

    def persontitle(self) -> str:
        return self.r.choice(self.people).title

    def titled(self) -> str:
        """A person with title and organisation, in one of the forms reporters use."""
        i = self.r.below(len(self.people))
        p = self.people[i]
        self.mentioned[i] = True
        form = self.r.below(4)
        if form == 0:
            return f"{p.full}, the {p.title} of {p.org},"
        if form == 1:
            # Sentence() capitalises the title when it opens the sentence.
            return f"{p.title} {p.full}"
        if form == 2:
            a = "the" if self.r.random() < 0.5 else "an" if p.title[0] in "aeiou" else "a"
            return f"{p.full}, {a} {p.title},"
        return f"the {p.title}, {p.full},"

    def qual(self) -> str:
        return self.r.choices(_QUAL_WORDS, cum_weights=_QUAL_CUM)[0]

    def number(self) -> str:
        r = self.r
        form = r.below(9)
        if form == 0:
            return r.choice(NUMBER_WORDS)
        if form == 1:
            return f"{r.randint(1, 9)}.{r.randint(1, 9)} million"
        if form == 2:
            return f"{r.randint(1, 999)},{r.randint(0, 999):03d}"
        if form == 3:
            return f"{r.randint(11, 99)}"
        if form == 4:
            return f"{r.randint(100, 999)}"
        if form == 5:
            return f"{r.randint(1, 9)}{r.choice(['', '0', '00'])},{r.randint(0, 9)}00"
        if form == 6:
            return f"{r.randint(10, 90)} thousand"
        return f"{r.randint(2, 500)}"

    def count(self) -> str:
        return f"{self.qual()}{self.number()} {self.countnoun()}"

    def votes(self) -> str:
        return str(self.r.randint(40, 120))

    def votes2(self) -> str:
        return str(self.r.randint(3, 60))

    def money(self) -> str:
        r = self.r
        if r.random() < 0.6:
            amount = str(r.randint(2, 99))
        else:
            amount = f"{r.randint(1, 9)}.{r.randint(1, 9)}"
        scale = r.choice(["million", "billion", "million"])
        form = r.below(7)
        if form == 0:
            return f"{self.qual()}${amount} {scale}"
        if form == 1:
            return f"{self.qual()}{amount} {scale} dollars"
        if form == 2:
            return f"{self.qual()}€{amount} {scale}"
        if form == 3:
            return f"{self.qual()}{amount} {scale} {self.currency}"
        if form == 4:
            return f"{self.qual()}US${r.randint(100, 999)} million"
        if form == 5:
            return f"{self.qual()}${r.randint(2, 999)},{r.randint(0, 999):03d}"
        return f"{self.qual()}{amount} {scale} euros"

    def pct(self) -> str:
        r = self.r
        x = r.random()
        if x < 0.5:
            return f"{r.randint(1, 60)}%"
        if x < 0.75:
            return f"{r.randint(1, 60)}.{r.randint(0, 9)} percent"
        return f"{r.randint(2, 40)} per cent"

    def _day(self, back: int = 200, forward: int = 30) -> dt.date:
        return self.published + dt.timedelta(days=self.r.randint(-back, forward))

    def year(self) -> str:
        return str(self.published.year)

    def pastyear(self) -> str:
        return str(self.published.year - self.r.randint(1, 15))

    def futureyear(self) -> str:
        return str(self.published.year + self.r.randint(0, 5))

    def pubday(self) -> str:
        return f"{MONTHS[self.published.month - 1]} {self.published.day}"

    def date(self) -> str:
        """A date expression near the publication date, in one of many forms."""
        r = self.r
        d = self._day()
        form = r.below(16)
        month = MONTHS[d.month - 1]
        if form < 4:
            return f"on {month} {d.day}"
        if form == 4:
            return f"on {d.day} {month} {d.year}"
        if form == 5:
            return f"on {month} {d.day}, {d.year}"
        if form == 6:
            return f"in {month}"
        if form == 7:
            return f"in {month} {d.year}"
        if form == 8:
            return f"in {d.year - r.randint(0, 12)}"
        if form == 9:
            return f"on {WEEKDAYS[d.weekday()]}"
        if form == 10:
            return r.choice(["last year", "last month", "last week", "yesterday", "this year"])
        if form == 11:
            return f"on {MONTHS_SHORT[d.month - 1]} {d.day}"
        if form == 12:
            return f"by the end of {d.year + r.randint(0, 4)}"
        if form == 13:
            return f"in early {d.year}" if r.random() < 0.5 else f"in late {month}"
        if form == 14:
            return f"on {WEEKDAYS[d.weekday()]}, {month} {d.day}"
        return f"on {d.isoformat()}" if r.random() < 0.4 else f"on {d.day}/{d.month}/{d.year}"

    def range(self) -> str:
        """A period: two dates, months or years, in one of the forms reporters use."""
        r = self.r
        a = self._day(600, 0)
        b = a + dt.timedelta(days=r.randint(20, 4000))
        form = r.below(8)
        if form == 0:
            return (
                f"between {MONTHS[a.month - 1]} {a.day}, {a.year} and "
                f"{MONTHS[b.month - 1]} {b.day}, {b.year}"
            )
        if form == 1:
            m1 = r.below(11)
            return f"from {MONTHS[m1]} to {MONTHS[r.randint(m1 + 1, 11)]}"
        if form == 2:
            return f"between {a.year - r.randint(1, 10)} and {a.year}"
        if form == 3:
            y = a.year - r.randint(1, 8)
            return f"in {y}-{str(y + r.randint(1, 3))[2:]}"
        if form == 4:
            day = min(a.day, 20)
            return f"from {day} to {day + r.randint(1, 7)} {MONTHS[a.month - 1]}"
        if form == 5:
            return f"from {MONTHS[a.month - 1]} {a.year} to {MONTHS[b.month - 1]} {b.year}"
        if form == 6:
            return f"between {a.year - r.randint(1, 10)} and {a.year}"
        return f"in the first {r.choice(['three', 'six', 'nine'])} months of {a.year}"

    def place(self) -> str:
        r = self.r
        form = r.below(5)
        if form < 2:
            return r.choice(self.cities)
        if form == 2:
            return self.country_
        if form == 3:
            return f"{r.choice(['northern', 'southern', 'eastern', 'rural'])} {self.country_}"
        return f"the {r.choice(['port', 'province', 'region', 'outskirts'])} of {self.city()}"

    def quote(self) -> str:
        open_, close = ('"', '"') if self.r.random() < 0.7 else ("“", "”")
        return f"{open_}{self.render(self.r.choice(QUOTE_TEXTS))}{close}"

    def vpquote(self) -> str:
        open_, close = ('"', '"') if self.r.random() < 0.7 else ("“", "”")
        return f"{open_}{self.render(self.r.choice(VP_QUOTES))}{close}"

    def quote2(self) -> str:
        open_, close = ('"', '"') if self.r.random() < 0.7 else ("“", "”")
        first = _cap(self.render(self.r.choice(QUOTE_TEXTS)))
        return f"{open_}{first}. {self.clausecap()},{close}"

    def quotecap(self) -> str:
        open_, close = ('"', '"') if self.r.random() < 0.7 else ("“", "”")
        return f"{open_}{_cap(self.render(self.r.choice(QUOTE_TEXTS)))}{close}"


_QUAL_WORDS = [q for q, _ in QUALIFIERS]
_QUAL_CUM = [sum(w for _, w in QUALIFIERS[: i + 1]) for i in range(len(QUALIFIERS))]

# Kinds of sentence in a paragraph, and how often each comes.
KINDS = [FACTS, SAID, ACCORDING, QUOTES, OPINION, QUESTIONS, CRITICS]
_KIND_CUM = [9, 14, 17, 19, 21, 22, 25]


# -- posts, headings, page furniture ----------------------------------------------------------


def _signature(a: Article) -> str:
    r = a.r
    if r.random() < 0.6:
        p = r.choice(a.people)
        name, handle = p.full, p.handle
    else:
        name = r.choice([a.group_, f"{a.country_} Watch", f"{a.city()} Live", "Citizen Eye"])
        handle = "@" + "".join(c for c in name.title() if c.isalnum())[:15]
    d = a._day(20, 0)
    if r.random() < 0.85:
        when = f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    else:
        when = f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if r.random() < 0.1:
        name += " 🌐"
    dash = "—" if r.random() < 0.9 else "--"
    return f"{dash} {name} ({handle}) {when}"


def embedded_post(a: Article) -> str:
    """A post as a scraper flattens it: body lines, links glued on, then the signature."""
    r = a.r
    lines = [a.sentence(POST_BODIES)]
    if r.random() < 0.3:
        lines.append(a.clausecap() + r.choice([".", "", "!"]))
    link = r.random()
    sig = _signature(a)
    if link < 0.35:
        lines[-1] += f" pic.twitter.com/{_short_id(r)}"
        # Half the time the scraper drops the newline after the picture link.
        return "\n".join(lines) + (sig if r.random() < 0.5 else "\n" + sig)
    if link < 0.65:
        lines[-1] += f"https://t.co/{_short_id(r)}"
    elif link < 0.8:
        lines[-1] += f" https://t.co/{_short_id(r)}"
    return "\n".join(lines) + "\n" + sig


def unsigned_post(a: Article) -> str:
    """A short line ending in a picture link: a post whose signature the scraper lost."""
    return f"{a.r.choice(POST_OPENERS)} #{a.country_} pic.twitter.com/{_short_id(a.r)}"


def paragraph(a: Article) -> str:
    r = a.r
    n = r.choices((1, 2, 3, 4, 5), cum_weights=(2, 6, 10, 12, 13))[0]
    kinds = r.choices(KINDS, cum_weights=_KIND_CUM, k=n)
    text = " ".join([a.sentence(k) for k in kinds])
    if r.random() < 0.04:
        # Scrapers lose the final stop of a paragraph now and then.
        text = text.rstrip(".")
    return text


def _target_words(r: Rng) -> int:
    # Log-normal around 500 words, kept within 150..1500.
    return max(150, min(1500, int(math.exp(r.gauss(math.log(500), 0.55)))))


def article(seed: int, index: int) -> dict[str, str]:
    """Article ``index`` of corpus ``seed``: text, title, outlet, published, url and topic."""
    r = Rng(seed * 1_000_003 + index)
    topic = r.choice(TOPIC_NAMES)
    published = dt.date(2015, 1, 1) + dt.timedelta(days=r.below(3650))
    a = Article(r, topic, published)
    outlet = a.outlets[0]
    title = a.sentence(HEADLINES)
    target = _target_words(r)
    parts: list[str] = []
    heading = r.random()
    if heading < 0.2:
        parts.append(title)
    elif heading < 0.3:
        parts.append(f"{a.sentence(QUESTIONS)} {r.choice(OPINIONS)}")
    elif heading < 0.35:
        parts.append(f"{a.city().upper()} — {paragraph(a)}")
    words = sum(p.count(" ") + 1 for p in parts)
    post_rate = r.choice((0.0, 0.0, 0.05, 0.1, 0.2))
    while words < target:
        x = r.random()
        if x < post_rate:
            part = embedded_post(a)
        elif x < post_rate + 0.015:
            part = unsigned_post(a)
        elif x < post_rate + 0.04 and parts:
            part = r.choice(FURNITURE)
            if part.endswith(":"):
                part += " " + a.sentence(HEADLINES)
        else:
            part = paragraph(a)
        parts.append(part)
        words += part.count(" ") + 1
    if r.random() < 0.1:
        editor = f"{r.choice(FIRST_NAMES)} {r.choice(SURNAMES)}"
        parts.append(f"Reporting by {a.people[0].full}; editing by {editor}")
    text = "\n".join(parts)
    if r.random() < 0.05:
        # Some scrapers keep a blank line between paragraphs.
        text = text.replace("\n", "\n\n")
    if r.random() < 0.3:
        text += "\n"
    section = r.choice(SECTIONS)
    url = (
        f"https://www.{_slug(outlet)}.example/{section}/{published.year}/"
        f"{published.month:02d}/{_slug(title)[:80]}"
    )
    return {
        "text": text,
        "title": title,
        "outlet": outlet,
        "published": published.isoformat(),
        "url": url,
        "topic": topic,
    }


def generate(n: int, *, seed: int = 0, start: int = 0) -> Iterator[dict[str, str]]:
    """``n`` articles of corpus ``seed``, from index ``start``, each a dict of strings."""
    for i in range(start, start + n):
        yield article(seed, i)


def main(argv: list[str] | None = None) -> int:
    """Write N generated articles as JSON Lines."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--start", type=int, default=0, help="index of the first article")
    parser.add_argument("--out", type=Path, help="output file (default: stdout)")
    args = parser.parse_args(argv)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for record in generate(args.n, seed=args.seed, start=args.start):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
