"""Sales Cloud records for the Marketing Cloud Connect functions: a local org in the store.

``objects`` holds what an object is (its key prefix and fields), ``ids`` the 18-character ids,
``files`` reads ``salesforce/<Object>.json|.csv`` in fixtures directories, ``records`` creates,
updates and retrieves records in the store, ``export`` writes them back as fixture files.
"""
