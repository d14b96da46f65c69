"""Decision and assessment summary PDFs: fonts, safe text, charts, layout and the render pool.

Nothing here queries the database: every function takes :class:`commission.scoring.Results`
(or plain data cut from it) and writes files. reportlab is imported lazily by the submodules.
"""
