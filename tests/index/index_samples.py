"""Tiny input files about fictional places and people, one per supported format."""

from __future__ import annotations

import json

TXT = """Glimmerford opens its first tide-powered library
GLIMMERFORD

The town of Glimmerford opened a library powered entirely by tidal turbines on Monday. Head librarian Odessa Quill said the building would lend 40,000 books in its first year.
Mayor Tobias Renn called the project "a lantern for the whole coast."
"""

MD = """---
author: Mirela Vasko
date: 2023-03-14T09:30:00+02:00
url: https://example.test/news/harrowgate-bridge
source: The Harrowgate Herald
---

# Harrowgate unveils a rope bridge across the Silverrun gorge

Engineers in Harrowgate finished a 300-metre rope bridge over the Silverrun gorge on Tuesday.

The bridge, designed by Ilse Brandvold, can carry 200 walkers at a time.
"""

HTML = """<!doctype html>
<html><head>
<title>Quillhaven festival draws record crowds - Quillhaven Courier</title>
<meta property="og:title" content="Quillhaven lantern festival draws record crowds">
<meta name="author" content="Petra Lindqvist">
<meta property="article:published_time" content="2022-11-05T18:00:00Z">
<meta property="og:url" content="https://courier.example.test/lantern-festival">
<meta property="og:site_name" content="Quillhaven Courier">
<style>body { color: red; }</style><script>var tracking = "SCRIPT-SHOULD-VANISH";</script>
</head><body>
<header><a href="/">Home</a> NAV-HEADER-TEXT</header>
<nav><ul><li>Sports</li><li>Weather</li></ul></nav>
<article>
<h1>Quillhaven lantern festival draws record crowds</h1>
<p>More than <b>12,000</b> people filled the harbour of Quillhaven on Saturday for the lantern festival.</p>
<p>Organiser Bram Oyelaran said the boats carried 3,000 paper lanterns.</p>
<aside>Related: ASIDE-SHOULD-VANISH</aside>
<form><input name="q"> FORM-SHOULD-VANISH</form>
</article>
<footer>FOOTER-SHOULD-VANISH Copyright Quillhaven Courier</footer>
</body></html>
"""

JSON_LIST = [
    {"title": "Brindlemoor dairy wins cheese award", "body": "The Brindlemoor dairy cooperative won gold for its smoked cheddar.",
     "url": "https://example.test/brindlemoor-cheese", "publisher": "Valley Post", "author": ["Ana Sorel", "Jo Keel"],
     "published": "Wed, 02 Oct 2019 15:00:00 GMT"},
    {"title": "Ferngate school opens observatory", "text": "Ferngate Secondary School opened a rooftop observatory for its 600 pupils.",
     "link": "https://example.test/ferngate-observatory", "source": "Valley Post", "date": "2019-10-03"},
]

JSONL = "\n".join(json.dumps(r) for r in [
    {"id": "x1", "title": "Ostrava Vale elects first youth council", "body": "Ostrava Vale elected a youth council of nine members aged 14 to 18.",
     "url": "https://example.test/ostrava-youth", "source": "Vale Times", "date": "2021-06-01"},
    {"id": "x2", "title": "Corvin Hollow reopens its salt mine museum", "content": "The salt mine museum in Corvin Hollow reopened after a two-year renovation.",
     "url": "https://example.test/corvin-salt", "source": "Vale Times", "published_at": "2021-06-02T10:15:00Z"},
]) + "\n"

CSV = """title,body,url,source,author,date
Pellmarsh market adds night stalls,"Pellmarsh market will stay open until midnight on Fridays, the council said.",https://example.test/pellmarsh-night,Marsh Weekly,Hal Ostrander,2020-02-14
Dunmere library lends telescopes,"The Dunmere library now lends six telescopes, ""free of charge"", to members.",https://example.test/dunmere-telescopes,Marsh Weekly,,14 February 2020
"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Larkspur Ledger</title><link>https://ledger.example.test/</link><description>News from Larkspur</description>
<item>
  <title>Larkspur opens floating market</title>
  <link>https://ledger.example.test/floating-market</link>
  <guid isPermaLink="false">larkspur-2024-0001</guid>
  <pubDate>Tue, 05 Mar 2024 08:00:00 +0100</pubDate>
  <author>editor@ledger.example.test (Rhea Tamsworth)</author>
  <description><![CDATA[<p>Larkspur opened a <b>floating market</b> on the Weir canal with 40 boats.</p><p>Trader Nils Orrin sold out of pears by noon.</p>]]></description>
</item>
<item>
  <title>Larkspur ferry fares frozen</title>
  <link>https://ledger.example.test/ferry-fares</link>
  <guid>larkspur-2024-0002</guid>
  <pubDate>Wed, 06 Mar 2024 12:30:00 GMT</pubDate>
  <description>The Larkspur ferry company froze fares for 2024, its director Ines Vale said.</description>
</item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Westerby Wire</title><id>urn:westerby</id><updated>2024-04-01T00:00:00Z</updated>
  <entry>
    <title>Westerby lighthouse restored</title>
    <id>urn:westerby:lighthouse</id>
    <link href="https://wire.example.test/lighthouse"/>
    <published>2024-04-01T06:00:00Z</published>
    <author><name>Greta Holm</name></author>
    <content type="html">&lt;p&gt;The Westerby lighthouse shone again after a restoration costing 2 million crowns.&lt;/p&gt;</content>
  </entry>
</feed>
"""
