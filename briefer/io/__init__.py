"""What crosses the process's edge, besides reading articles: HTTP with every byte bounded
(`http`), files written whole (`files`), the brief store (`store`), and delivery to Slack
(`slack`) and by email (`mail`).

Nothing here renders or briefs: callers hand delivery what is already rendered, so the
layers above (core, digest, renderers, the command line) use this package and it uses none
of them.
"""
