#!/usr/bin/env python3
"""bantin's feed checks: each RSS 2.0, Atom 1.0 or JSON Feed document given (a URL or a file)
must be valid and must read the same in independent clients.

  check-feeds.py [--json] INPUT...     INPUT: an http:// URL or a file
  check-feeds.py --self-test           the checks on documents known good and known bad

Per document:
  http       200, the Content-Type of its format, charset UTF-8 (URLs only)
  xml        well-formed UTF-8 XML, no DTD (RSS and Atom)
  schema     RELAX NG: tests/checks/atom.rnc (RFC 4287) or tests/checks/rss.rnc
  rules      what a schema cannot say: unique ids, absolute http(s) links, RFC 3339 or RFC 822
             dates, Atom's author rule, JSON Feed 1.1's required members
  feedparser Python feedparser: no bozo flag, the document's items (count, ids, links)
             (RSS and Atom; feedparser reads no JSON Feed)
  feedsmith  the npm feedsmith parser: the document's items
  newsboat   the newsboat reader, reloading the document from a file:// URL with its own
             config and cache: the document's items (RSS and Atom; newsboat reads no JSON Feed)

"The document's items" are the ids and links read from the document itself. Every checker
must run: a missing one fails, naming scripts/test-setup.sh. Exit status 0 when every check
passed, 1 otherwise. With --json, stdout is one JSON list: per input its format and items.
Installed by scripts/checks-setup.sh into target/checks/ (run by scripts/test-setup.sh).
"""

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
HOME = os.path.join(os.path.dirname(os.path.dirname(HERE)), "target", "checks")
SETUP = "scripts/test-setup.sh"
ATOM = "http://www.w3.org/2005/Atom"
TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class Missing(Exception):
    """A checker that is not installed."""


def fetch(source):
    """(bytes, content type or None, base URL) of a URL or a file."""
    if re.match(r"^https?://", source):
        # The tests' servers are on loopback: a proxy from the environment must not be asked.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(source, headers={"Accept-Encoding": "identity"})
        with opener.open(request, timeout=30) as response:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            return response.read(), response.headers.get("Content-Type"), source
    with open(source, "rb") as f:
        return f.read(), None, "file://" + os.path.abspath(source)


def sniff(body):
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        return "json"
    from lxml import etree

    root = etree.fromstring(body, parser(etree))
    if root.tag == "rss":
        return "rss"
    if root.tag == f"{{{ATOM}}}feed":
        return "atom"
    raise ValueError(f"neither RSS 2.0, Atom 1.0 nor JSON Feed: root element {root.tag}")


def parser(etree):
    # No entities from outside, no network, no recovery: a document must stand as it is.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False)


def own_items(kind, body):
    """The (id, link) of each item, read from the document itself."""
    if kind == "json":
        return [(i.get("id"), i.get("url")) for i in json.loads(body).get("items", [])]
    from lxml import etree

    root = etree.fromstring(body, parser(etree))
    if kind == "rss":
        items = root.findall("channel/item")
        return [(i.findtext("guid"), i.findtext("link")) for i in items]
    items = []
    for entry in root.findall(f"{{{ATOM}}}entry"):
        links = [l.get("href") for l in entry.findall(f"{{{ATOM}}}link") if l.get("rel", "alternate") == "alternate"]
        items.append((entry.findtext(f"{{{ATOM}}}id"), links[0] if links else None))
    return items


def check_http(kind, content_type):
    if content_type is None:
        return None
    problems = []
    mime = content_type.split(";")[0].strip().lower()
    if mime != TYPES[kind]:
        problems.append(f"Content-Type {content_type}, not {TYPES[kind]}")
    if "charset=utf-8" not in content_type.lower().replace(" ", ""):
        problems.append(f"Content-Type {content_type} without charset=utf-8")
    return problems


def check_xml(body):
    from lxml import etree

    problems = []
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(f"not UTF-8: {e}")
    declared = re.match(rb"<\?xml[^>]*encoding=[\"']([^\"']+)", body)
    if declared and declared.group(1).lower() != b"utf-8":
        problems.append(f"declares encoding {declared.group(1).decode()}")
    try:
        tree = etree.fromstring(body, parser(etree)).getroottree()
        if tree.docinfo.doctype:
            problems.append(f"has a DOCTYPE: {tree.docinfo.doctype}")
    except etree.XMLSyntaxError as e:
        problems.append(f"not well-formed: {e}")
    return problems


def check_schema(kind, body):
    from lxml import etree

    path = os.path.join(HOME, "schemas", f"{kind}.rng")
    if not os.path.exists(path):
        raise Missing(f"{path} (run {SETUP})")
    schema = etree.RelaxNG(etree.parse(path))
    if schema.validate(etree.fromstring(body, parser(etree)).getroottree()):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def absolute(url):
    parts = urllib.parse.urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_rules(kind, body, items):
    problems = []
    ids = [i for i, _ in items]
    if kind != "rss" or any(ids):
        if any(not i for i in ids):
            problems.append("an item without an id")
        duplicates = sorted({i for i in ids if i and ids.count(i) > 1})
        if duplicates:
            problems.append(f"ids used twice: {duplicates}")
    for _, link in items:
        if link is not None and not absolute(link):
            problems.append(f"link not absolute: {link!r}")
    if kind == "json":
        return problems + json_feed_rules(json.loads(body))
    from lxml import etree

    root = etree.fromstring(body, parser(etree))
    if kind == "rss":
        for guid in root.iter("guid"):
            if guid.get("isPermaLink", "true") == "true" and not absolute(guid.text):
                problems.append(f"a permalink guid that is not an absolute URL: {guid.text!r}")
        for link in root.iter(f"{{{ATOM}}}link"):
            if not absolute(link.get("href")):
                problems.append(f"atom:link not absolute: {link.get('href')!r}")
        return problems
    feed_author = root.find(f"{{{ATOM}}}author") is not None
    for entry in root.findall(f"{{{ATOM}}}entry"):
        if not feed_author and entry.find(f"{{{ATOM}}}author") is None and entry.find(f"{{{ATOM}}}source/{{{ATOM}}}author") is None:
            problems.append(f"entry {entry.findtext(f'{{{ATOM}}}id')} has no author and the feed none either")
        alternates = [
            (l.get("type"), l.get("hreflang"))
            for l in entry.findall(f"{{{ATOM}}}link")
            if l.get("rel", "alternate") == "alternate"
        ]
        if len(alternates) != len(set(alternates)):
            problems.append(f"entry {entry.findtext(f'{{{ATOM}}}id')}: two alternate links of one type and language")
    for date in root.iter(f"{{{ATOM}}}updated", f"{{{ATOM}}}published"):
        if not RFC3339.match(date.text or ""):
            problems.append(f"not an RFC 3339 date: {date.text!r}")
    for link in root.iter(f"{{{ATOM}}}link"):
        if not absolute(link.get("href")):
            problems.append(f"link not absolute: {link.get('href')!r}")
    return problems


def json_feed_rules(feed):
    problems = []
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"version {feed.get('version')!r}, not https://jsonfeed.org/version/1.1")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append("no title")
    if not isinstance(feed.get("items"), list):
        return problems + ["no items list"]
    for key in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        if key in feed and not absolute(feed[key]):
            problems.append(f"{key} not absolute: {feed[key]!r}")
    for item in feed["items"]:
        if not isinstance(item.get("id"), str):
            problems.append(f"an item whose id is not a string: {item.get('id')!r}")
        if not isinstance(item.get("content_html"), str) and not isinstance(item.get("content_text"), str):
            problems.append(f"item {item.get('id')}: neither content_html nor content_text")
        for key in ("date_published", "date_modified"):
            if key in item and not RFC3339.match(str(item[key])):
                problems.append(f"item {item.get('id')}: {key} not RFC 3339: {item[key]!r}")
        for key in ("url", "external_url", "image", "banner_image"):
            if key in item and not absolute(item[key]):
                problems.append(f"item {item.get('id')}: {key} not absolute: {item[key]!r}")
    return problems


def compare(client, got, items):
    """What `client` read against the document's own (id, link) pairs."""
    if len(got) != len(items):
        return [f"{client} read {len(got)} items, the document has {len(items)}"]
    problems = []
    for n, ((gid, glink), (iid, ilink)) in enumerate(zip(got, items)):
        if iid and gid != iid:
            problems.append(f"item {n}: {client} read id {gid!r}, the document has {iid!r}")
        if ilink and glink != ilink:
            problems.append(f"item {n}: {client} read link {glink!r}, the document has {ilink!r}")
    return problems


def check_feedparser(kind, body, base, items):
    try:
        import feedparser
    except ImportError:
        raise Missing(f"feedparser (run {SETUP})")
    d = feedparser.parse(body, response_headers={"content-location": base, "content-type": TYPES[kind]})
    if d.bozo:
        return [f"bozo: {d.bozo_exception}"]
    got = [(e.get("id"), e.get("link")) for e in d.entries]
    if kind == "rss" and not any(i for i, _ in items):
        # feedparser gives an RSS item without a guid its link as id.
        got = [(None, link) for _, link in got]
    return compare("feedparser", got, items)


def run_feedsmith(paths):
    script = os.path.join(HERE, "feedsmith.mjs")
    modules = os.path.join(HOME, "node", "node_modules", "feedsmith")
    if not os.path.isdir(modules):
        raise Missing(f"{modules} (run {SETUP})")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CHECKS_NODE_MODULES": os.path.join(HOME, "node", "node_modules")}
    out = subprocess.run(["node", script, *paths], capture_output=True, text=True, env=env, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"feedsmith.mjs failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


def check_newsboat(path, items):
    if not shutil_which("newsboat"):
        raise Missing(f"newsboat (run {SETUP})")
    with tempfile.TemporaryDirectory(prefix="bantin-newsboat-") as home:
        url = "file://" + os.path.abspath(path)
        urls, config, cache = (os.path.join(home, n) for n in ("urls", "config", "cache.db"))
        with open(urls, "w") as f:
            f.write(url + "\n")
        with open(config, "w") as f:
            f.write("")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_DATA_HOME": os.path.join(home, ".local/share"),
            "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            "LANG": "C.UTF-8",
            "TERM": "dumb",
        }
        out = subprocess.run(
            ["newsboat", "-u", urls, "-C", config, "-c", cache, "-x", "reload"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        if out.returncode != 0:
            return [f"newsboat -x reload exited {out.returncode}: {(out.stdout + out.stderr).strip()}"]
        if not os.path.exists(cache):
            return ["newsboat wrote no cache"]
        with sqlite3.connect(cache) as db:
            errors = db.execute("SELECT count(*) FROM rss_feed WHERE rssurl = ? AND lastmodified = 0 AND title = ''", (url,)).fetchone()[0]
            rows = db.execute("SELECT guid, url FROM rss_item WHERE feedurl = ? ORDER BY id", (url,)).fetchall()
    if not rows and items:
        return [f"newsboat read no item (feed unread: {errors}): {(out.stdout + out.stderr).strip()}"]
    # newsboat keeps items by guid, newest first in its own order: compare as sets.
    got = sorted((g, u) for g, u in rows)
    want = sorted((i if i else l, l) for i, l in items)
    if got != want:
        missing = [w for w in want if w not in got]
        extra = [g for g in got if g not in want]
        return [f"newsboat read {len(got)} items, the document has {len(want)}; missing {missing[:3]}, extra {extra[:3]}"]
    return []


def shutil_which(name):
    import shutil

    return shutil.which(name)


def check(sources):
    """Runs every checker on every source; returns (report lines, summaries, passed)."""
    lines, summaries, passed = [], [], True
    docs = []
    with tempfile.TemporaryDirectory(prefix="bantin-checks-") as tmp:
        for n, source in enumerate(sources):
            results = {}
            try:
                body, content_type, base = fetch(source)
                kind = sniff(body)
            except Exception as e:  # noqa: BLE001 - any failure to read is the verdict
                lines.append(f"FAIL {source}: cannot read: {e}")
                passed = False
                continue
            path = os.path.join(tmp, f"{n}.{kind}")
            with open(path, "wb") as f:
                f.write(body)
            items = own_items(kind, body)
            docs.append((source, kind, body, content_type, base, items, path, results))
        try:
            smith = run_feedsmith([d[6] for d in docs]) if docs else []
            smith_error = None
        except Exception as e:  # noqa: BLE001
            smith, smith_error = [None] * len(docs), e
        for (source, kind, body, content_type, base, items, path, results), seen in zip(docs, smith):
            checkers = [
                ("http", lambda: check_http(kind, content_type)),
                ("xml", lambda: None if kind == "json" else check_xml(body)),
                ("schema", lambda: None if kind == "json" else check_schema(kind, body)),
                ("rules", lambda: check_rules(kind, body, items)),
                ("feedparser", lambda: None if kind == "json" else check_feedparser(kind, body, base, items)),
                ("feedsmith", lambda: feedsmith_result(seen, smith_error, items)),
                ("newsboat", lambda: None if kind == "json" else check_newsboat(path, items)),
            ]
            for name, run in checkers:
                try:
                    problems = run()
                except Missing as e:
                    problems = [f"not installed: {e}"]
                except Exception as e:  # noqa: BLE001
                    problems = [f"{type(e).__name__}: {e}"]
                results[name] = problems
                if problems is None:
                    lines.append(f"--   {name:<10} {source} ({kind}): not for this format")
                elif problems:
                    passed = False
                    lines.append(f"FAIL {name:<10} {source} ({kind}): " + "; ".join(problems[:5]))
                else:
                    lines.append(f"ok   {name:<10} {source} ({kind}, {len(items)} items)")
            summaries.append(
                {"input": source, "format": kind, "items": [{"id": i, "link": l} for i, l in items], "problems": results}
            )
    return lines, summaries, passed


def feedsmith_result(seen, error, items):
    if error is not None:
        raise error
    if "error" in seen:
        return [f"feedsmith: {seen['error']}"]
    got = [(i.get("id"), i.get("link")) for i in seen["items"]]
    if not any(i for i, _ in items):
        got = [(None, link) for _, link in got]
    return compare("feedsmith", got, items)


SELF_TEST_GOOD = {
    "good.rss": b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title>
<link>https://example.org/</link><description>D</description>
<atom:link href="https://example.org/feed.rss" rel="self" type="application/rss+xml"/>
<item><title>Tin m\xe1\xbb\x9bi</title><link>https://example.org/a/1</link><guid isPermaLink="false">tag:example.org,2024:1</guid>
<pubDate>Fri, 05 Apr 2024 08:15:00 +0700</pubDate></item>
<item><title>B</title><link>https://example.org/a/2</link><guid isPermaLink="false">tag:example.org,2024:2</guid></item>
</channel></rss>""",
    "good.atom": b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>tag:example.org,2024:feed</id>
<updated>2024-04-05T08:15:00+07:00</updated><author><name>A</name></author>
<link href="https://example.org/feed.atom" rel="self"/>
<entry><title>E</title><id>tag:example.org,2024:1</id><updated>2024-04-05T08:15:00+07:00</updated>
<link href="https://example.org/a/1"/></entry></feed>""",
    "good.json": json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "T",
            "items": [{"id": "tag:example.org,2024:1", "url": "https://example.org/a/1", "content_text": "x"}],
        }
    ).encode(),
}
SELF_TEST_BAD = {
    # No channel link (schema), a relative item link (rules).
    "bad.rss": b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title><description>D</description>
<item><title>A</title><link>/a/1</link><guid isPermaLink="false">1</guid></item></channel></rss>""",
    # No id, no updated (schema); a date that is not RFC 3339 (rules).
    "bad.atom": b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><author><name>A</name></author>
<entry><title>E</title><id>x:1</id><updated>5 April 2024</updated></entry></feed>""",
    # Truncated: feedparser's bozo, and every client.
    "cut.rss": b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title><link>https://example.org/</link><description>D</description><item><title>A""",
}


def self_test():
    with tempfile.TemporaryDirectory(prefix="bantin-checks-self-") as tmp:
        def write(name, body):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(body)
            return path

        good = [write(n, b) for n, b in SELF_TEST_GOOD.items()]
        lines, _, passed = check(good)
        print("\n".join(lines))
        if not passed:
            print("self-test: a document known good failed", file=sys.stderr)
            return 1
        for name, body in SELF_TEST_BAD.items():
            lines, _, passed = check([write(name, body)])
            if passed:
                print("\n".join(lines))
                print(f"self-test: {name}, known bad, passed", file=sys.stderr)
                return 1
            print(f"ok   {name} fails as it should: {[l for l in lines if l.startswith('FAIL')][0]}")
    print("self-test: ok")
    return 0


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    as_json = "--json" in argv
    sources = [a for a in argv if a != "--json"]
    if not sources or any(s.startswith("-") for s in sources):
        print(__doc__, file=sys.stderr)
        return 2
    lines, summaries, passed = check(sources)
    if as_json:
        print(json.dumps(summaries, ensure_ascii=False))
        print("\n".join(lines), file=sys.stderr)
    else:
        print("\n".join(lines))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
