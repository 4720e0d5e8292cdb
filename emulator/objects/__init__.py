"""The platform's SOAP object model: object types and their operations, no HTTP and no SSJS.

The doors (WSProxy today) turn script calls into :class:`~emulator.objects.model.ObjectSession`
calls and hand back the dictionaries it returns, which already have the API's result shapes.
"""
