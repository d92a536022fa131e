"""Episode-aware spoilers, the heart of the site, in one package.

- ``readers``   the Reader (progress and revealed items) of one request, and
                where progress is kept (profile or session).
- ``levels``    what a thread, comment or article spoils, the model field that
                stores it and the rule for setting it.
- ``reveals``   reveal links: the address that shows one gated item.
- ``groups``    lists that are mostly gates, folded into one entry.
- ``caching``   whole pages cached per reader.
- ``forms``, ``views``, ``urls``   "I've watched up to…", the first-visit question
                (and the last step of sign-up, which asks it) and the episode pages'
                "I've watched episode N" (which only ever raises progress).
- ``templatetags/spoilers.py``, ``templatetags/progress_tags.py``   the gate in
                templates.

docs/spoilers.md explains the model; this package imports only the episodes
catalogue and the infrastructure in fansite.web.
"""
