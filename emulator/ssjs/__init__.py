"""Run SSJS CloudPages verbatim in an embedded JavaScript engine (QuickJS, via quickjs-ng).

Layers: :mod:`pagefile` splits a page file and :mod:`syntax` refuses what Jint refuses (server
process); :mod:`workers` runs scripts in pre-started processes, each holding an :mod:`engine`;
:mod:`host` answers the scripts' platform calls on the real page context; :mod:`runner` turns
a run into a page result.
"""
