"""Every scoring weight of the answer path, in one place, each with why it has its value.

Values were set on the two dev sets as a whole (Wikinews dev 64 questions, MultiHop-RAG dev 249; see
eval/RESULTS.md), never on single cases. Settings a user may want to change (top_k, support_threshold,
context_words, ...) live in `qa.settings.Settings`; these are the internals those settings do not expose.
"""

# Sentence ranking for the prompt (qa/context.py) ---------------------------------------------------------
LEXICAL_WEIGHT = 0.6  # IDF-weighted word overlap next to embedding similarity: MiniLM alone misses rare names
TITLE_TERM_WEIGHT = 0.35  # a question word that is also in the title says little about *which* sentence answers
RANK_PENALTY = 0.02  # per retrieval rank of the sentence's article: ties go to the better-retrieved article
RELATIVE_FLOOR = 0.5  # a sentence scoring under half the best one's score only distracts a 1.5B model
RARE_TERMS = 3  # the question's rarest words (highest IDF over the candidates): its predicate ("won", "contract")
RARE_TERMS_HELD = 2  # ... of which a sentence holds at least this many
RARE_TERM_KINDS = ("person", "entity")  # ... for "who" / "which company" questions, whose answer sentence names
#                                          the answer and not the topic (elsewhere it cost 2 Wikinews answers)
RARE_TERMS_BONUS = 0.25  # gets this bonus: there the answer is stated, even when the sentence names the
#                          answer ("Deltamar Construction ... won the contract") and not the topic, so its cosine is low
KIND_BONUS = 0.25  # a sentence holding an item of the asked kind (a date for "when", a number for "how many")
#                    that the question does not already state: the answer-bearing sentence, not the lead
DIVERSITY_FLOOR = 0.8  # another article's best sentence jumps the queue only when it scores 80% of the best one:
#                         multi-article questions need both articles, but a weak article's lead would crowd
#                         out the second sentence of the article that answers
NEIGHBOUR_ANCHORS = 3  # the best sentences whose neighbours (previous, next) come along: "The children were
#                        from Marksville" needs the sentence before it to say which children
LEXICAL_PREFILTER = 10  # sentences per article embedded (chosen by word overlap): embedding every sentence of a
#                         long interview costs seconds; answers sit in the overlapping ones

# Ranking for relevance gate and quoting -------------------------------------------------------------------
GATE_SIM_WEIGHT = 0.6  # relevance of the best sentence (gate): embedding similarity vs. plain word overlap
ANSWER_SIM_WEIGHT = 0.4  # quoting (extractive): embedding similarity vs. IDF-weighted overlap (rare words)
EXTRACTIVE_CLOSE = 0.8  # extractive also quotes further sentences scoring within 80% of the best one
EXTRACTIVE_KIND_FLOOR = 0.6  # a sentence holding the asked kind is quoted only if it scores 60% of the best one:
#                              a name in an unrelated sentence is not the asked name
EXTRACTIVE_NAME_SENTENCES = 3  # "who/which X" questions: the name the best three sentences agree on is the answer
EXTRACTIVE_NAME_SPREAD = 0.5  # ... plus this for each further source naming it: a "who is the individual
#                           who ... according to A and B" question asks for the name its articles share (about
#                           one good sentence's score; 0.1-0.75 gave the same MultiHop figure, 0.5+ one more
#                           Wikinews multi-article answer)
EXTRACTIVE_MIN_NAMES = 2  # a question naming two or more things none of which the sources mention is about
#                          something the index does not cover: the quoter refuses (an LLM judges this itself)
EXTRACTIVE_MAX_SENTENCES = 2  # ... up to this many: a third sentence was almost never the answer

# Support check (qa/check.py) ------------------------------------------------------------------------------
SUPPORT_LEXICAL_WEIGHT = 0.5  # support = this x word overlap + (1 - this) x embedding similarity
LEXICAL_ONLY_WEIGHT = 0.7  # ... or this x word overlap alone: "Carl Lipo is affiliated with Binghamton University"
#                            against a 60-word quote has cosine 0.05 though every word it adds is there (0.7 x
#                            overlap passes the 0.55 threshold from 80% of the words the claim adds)
UNION_DISCOUNT = 0.9  # overlap with all shown sentences of a source together (answers combine two sentences)
MISSING_NUMBER_PENALTY = 0.6  # a number in the claim that the source does not state: support x 0.6
ANCHOR_MIN_SHARE = 0.5  # a claim repeating the question's names ("Jong Woo Son", "Bradford") is supported only
#                         by an article naming at least half of them: small models fill a detail the right
#                         article lacks with one from another article (a prison term from another trial)
ANCHOR_PENALTY = 0.5  # ... otherwise its support x 0.5 (below any threshold in use: it cannot confirm the claim)
BARE_CLAIM_WORDS = 2  # a claim of at most this many words, none of them the question's ("Eight [1]."), answers
#                       only together with the question: ...
BARE_CLAIM_PENALTY = 0.5  # ... a sentence sharing no word with the question supports it x 0.5 ("eight metres of
#                           mud" does not say how many people died)

# Quotes behind [n] (qa/citations.py) ------------------------------------------------------------------------
QUOTE_COVERAGE = 0.5  # a quote should show at least half of its claim's content words (what a reader checks
#                       when clicking [n]); below that a neighbouring sentence that adds them joins the quote
QUOTE_MAX_SENTENCES = 3  # ... up to three adjacent sentences: longer is a passage, not a quote
QUOTE_MAX_GAP_CHARS = 40  # ... only sentences that are adjacent in the article (not across a gap in the chunks)

# Comparisons (qa/compare.py) -----------------------------------------------------------------------------
SIDE_SUPPORT = 0.25  # a side's best sentence must score this for the side to count as confirmed
PHRASE_BONUS = 0.2  # a choice's option found as a phrase in the sentence
FOCUS_WEIGHT = 3.0  # a choice's own words ("August 24") count this much more than the shared stem

# Retrieval fusion (qa/retrieval/fusion.py) ----------------------------------------------------------------
BOOST_FACTOR = 1.5  # named publication or date in the question: its hits' fused score x 1.5
LATEST_BOOST = 0.5  # 'latest'/'now': up to +50% for the newest of the relevant hits
LATEST_RELEVANT = 0.75  # ... where relevant means dense similarity >= 75% of the best hit's
STRONG_BM25_COVERAGE = 0.75  # idf-weighted share of question terms in the best keyword hit: relevant enough

# Retry (qa/engine.py) -------------------------------------------------------------------------------------
RETRY_MIN_DENSE = 0.45  # the model declined but the best chunk is this close to the question: ask once more
#                         with the top chunks whole (the answer may sit in a sentence the selection left out)
RETRY_CHUNKS = 2  # whole chunks in the retry prompt (~550 prompt tokens, about one more answer's time)

# Time (qa/timeliness.py) ----------------------------------------------------------------------------------
UPDATE_RELEVANCE_RATIO = 0.5  # the newest report's statement leads when it scores this share of the best
#                               sentence's: a later report words the update its own way ("will open in 2027"
#                               for "when will the first trams run": 0.52 of the old wording's score)
EARLIER_RELEVANCE_RATIO = 0.5  # an older report's statement is looked at down to this share (what the earlier
#                               report said is often a side sentence: "the timetable has it opening in 2026")
REPORTING_WINDOW_DAYS = 7  # a date this close before publication dates the report's own news ("said on
#                            Wednesday"), not a value that later reports revise (an opening date, a deadline)
CORRECTION_LOOKAHEAD = 2  # a correction notice says the restated figure was wrong in the next sentence or the one
#                           after ("That figure was wrong. The council will borrow ..."); further away it is
#                           another matter (qa/corrections.py)
CORRECTION_WINDOW_CHARS = 600  # body text read after a restating sentence to find those sentences
TIMELINE_MAX_REPORTS = 5  # dated statements in a timeline answer (one per report; more is a list, not an answer)
