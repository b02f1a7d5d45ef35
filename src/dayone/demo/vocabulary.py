"""Plain vocabulary and clocks for the demo data: names, cards, coins, and the launch timeline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

UTC = timezone.utc

# The timeline of the launch. Everything in the demo happened before GO_LIVE.
GO_LIVE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
QA_START = datetime(2026, 9, 14, 16, 0, tzinfo=UTC)  # the QA team starts testing against production
BETA_START = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)  # friends-and-family beta opens
MIGRATION = datetime(2026, 10, 31, 2, 0, tzinfo=UTC)  # legacy PSA and PCGS logins imported in one night
# US daylight saving time ends on Sunday 2026-11-01 at 02:00 PDT (09:00 UTC).
DST_END = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def utc_text(moment: datetime) -> str:
    """An instant as ISO 8601 with a zone, how identity, vault and collection store time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pacific_text(moment: datetime) -> str:
    """Wall-clock time in Santa Ana, California, without a zone: how the grading system stores
    time. (Offsets are fixed here so the demo needs no time zone database.)"""
    offset = timedelta(hours=-7) if moment < DST_END else timedelta(hours=-8)
    return (moment.astimezone(UTC) + offset).strftime("%Y-%m-%d %H:%M:%S")


FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Chris Karen Daniel Lisa Matthew Nancy Anthony Betty Mark "
    "Sandra Steven Ashley Kevin Emily Brian Kimberly Jason Donna Ryan Michelle Jacob Carol Hiro "
    "Mei Carlos Sofia Luis Priya Ahmed Olga Tomasz Aoife"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Tanaka Kowalski O'Brien Müller Novak"
).split()
EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com", "comcast.net")
COUNTRIES = ("US",) * 14 + ("CA", "CA", "GB", "JP", "AU", "DE", "MX")

# (description, category, typical raw value in dollars)
CARDS = (
    ("1952 Topps Mickey Mantle #311", "card", 90000),
    ("1986 Fleer Michael Jordan #57", "card", 4500),
    ("1909-11 T206 Honus Wagner", "card", 500000),
    ("1933 Goudey Babe Ruth #53", "card", 30000),
    ("1954 Topps Hank Aaron #128", "card", 6000),
    ("1968 Topps Nolan Ryan #177", "card", 2500),
    ("1979 O-Pee-Chee Wayne Gretzky #18", "card", 8000),
    ("1989 Upper Deck Ken Griffey Jr. #1", "card", 120),
    ("1993 SP Derek Jeter #279", "card", 900),
    ("1996 Topps Chrome Kobe Bryant #138", "card", 1500),
    ("2000 Playoff Contenders Tom Brady #144", "card", 20000),
    ("2003 Upper Deck Exquisite LeBron James #78", "card", 60000),
    ("2009 Bowman Chrome Draft Mike Trout #BDPP89", "card", 3000),
    ("2018 Panini Prizm Luka Doncic #280", "card", 250),
    ("2019 Panini Prizm Zion Williamson #248", "card", 80),
    ("1999 Pokemon Base Set Charizard #4", "card", 1200),
    ("1999 Pokemon Base Set Blastoise #2", "card", 300),
    ("1998 Pokemon Japanese Promo Pikachu", "card", 150),
    ("2002 Yu-Gi-Oh! Legend of Blue Eyes Blue-Eyes White Dragon", "card", 400),
    ("1993 Magic The Gathering Alpha Black Lotus", "card", 40000),
    ("2011 Topps Update Mike Trout #US175", "card", 700),
    ("1980 Topps Larry Bird / Magic Johnson #6", "card", 1800),
    ("1997 Bowman Chrome Roy Halladay #201", "card", 60),
    ("2020 Topps Chrome Luis Robert #34", "card", 25),
    ("1977 Star Wars Topps Luke Skywalker #1", "card", 90),
    ("1998 World Cup Final Ticket Stub", "ticket", 350),
    ("1969 Super Bowl III Ticket Stub", "ticket", 2200),
    ("Muhammad Ali Signed Boxing Glove", "autograph", 3000),
    ("Babe Ruth Signed Baseball", "autograph", 95000),
    ("1986 Fleer Wax Pack", "pack", 9000),
)
COINS = (
    ("1909-S VDB Lincoln Cent", 1200),
    ("1916-D Mercury Dime", 1500),
    ("1893-S Morgan Dollar", 5000),
    ("1921 Peace Dollar", 400),
    ("1955 Doubled Die Lincoln Cent", 1800),
    ("1907 Saint-Gaudens Double Eagle", 3000),
    ("1937-D Three-Legged Buffalo Nickel", 900),
    ("1932-D Washington Quarter", 250),
)
CARD_GRADES = (10,) * 8 + (9,) * 22 + (8.5,) * 6 + (8,) * 18 + (7,) * 10 + (6,) * 6 + (5,) * 4 + (4, 3, 2, 1.5, 1)
COIN_GRADES = (70, 69, 68, 67, 66, 66, 65, 65, 65, 64, 64, 63, 62, 61, 58, 55, 45, 40)
