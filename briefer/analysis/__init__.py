"""Reading an article by rules: who is in the story, who says what, and how firmly.

What the rules find in an article's text, with no model and no network, whatever engine
briefs it. The offline engine builds its brief from it, the checks of every brief
(`briefer.verify`) add sourcing caveats from it, and the evaluation scores briefs against it.

* `sourcing/`: the sourcing analysis. `analyze_sourcing(text)` finds every attribution and its
  source (named person or organisation, anonymous, unnamed institution), declined comment,
  hedged numbers, unverified and single-source claims, each with character offsets.
* `stakeholders.py`: finding the parties to a story (`find_stakeholders`): runs of names and
  collective nouns, their kind, aliases merged, ranked by salience.
* `mentions.py`: where the text mentions parties (runs of capitalised words, collective
  nouns, people named by their part), for the stakeholder finder to weigh.
* `people.py`: the signs in the text that a name is a person's (a title or role before it,
  an age or "who" after it, a workplace, a list beside other people).
* `rules.py`: every rule's name and switch, for `briefer eval --ablate`.
* `names.py`: how one run of capitalised words reads as names: where a name ends, which
  part is an owner and which a body it owns.
* `name_kinds.py`: what kind of party one name is (person, company, organisation,
  government), and the shorter forms the article may use for it.
* `words.py`: the word lists and word rules only these rules read (speech verbs, prepositions,
  pronouns, `singular`, `is_news_outlet`); the lists themselves are data, in `words.toml`
  (shared by the rules) and `sourcing/words.toml` (the sourcing grammar's own), each list
  with what it is for and which rule reads it.
* `stakeholders.toml`: the word lists only the stakeholder finder reads (the words of a name,
  verbs after a subject, a state's institutions, prepositions of a setting, press titles),
  read once by `stakeholder_words.stakeholder_words()`.
* `entities.toml`: the entity word lists (titles, company suffixes, government and
  organisation words, places, countries and demonyms, words that look like names but are not),
  read once by `briefer.text.lexicon.lexicon()`, which the offline engine, the evaluation and
  the digest share.

Beside it, `briefer.verify` keeps the checks of a brief against its article (evidence quotes
located, comparison coverage), and `briefer.text` keeps what every rule reads: sentences and
paragraphs with offsets, tokens and chunking, the shared lexicon, untrusted-text hygiene.

Importing this package imports nothing: import the module you need.
"""
