// The SSJS globals, built over ONE host function: __host(requestJson) -> replyJson.
// Every platform member is a thin forwarder; the behaviour lives in the Python shims
// (emulator/platform/*), so there is one implementation. ES5 only, no dependency on the
// global JSON object (it is removed after this prelude unless ssjs_allow_json is set).
(function (global, host, surface) {
  var parse = JSON.parse, stringify = JSON.stringify;
  var hasOwn = Object.prototype.hasOwnProperty, defineProperty = Object.defineProperty;
  var isArray = Array.isArray, reflectGet = Reflect.get, ProxyCtor = Proxy;
  var TAG = "\u0000", REF = "\u0000ref", PLATFORM = "\u0000platform", MAX_DEPTH = 200;
  var refs = {};
  var stopped = false;
  var coreLoaded = false;
  var requestProps = null;

  function own(obj, name, value) {
    defineProperty(obj, name, {value: value, writable: true, configurable: true,
                               enumerable: false});
  }

  // JS value -> JSON-safe wire value; undefined, non-finite numbers, dates and host
  // objects travel as tagged objects so that Python gets them back exactly.
  function encode(value, depth) {
    if (depth > MAX_DEPTH) {
      throw new RangeError("A value passed to the platform is nested too deeply.");
    }
    var type = typeof value;
    if (value === null || type === "string" || type === "boolean") return value;
    if (type === "number") return isFinite(value) ? value : {"\u0000": "n", v: String(value)};
    if (type !== "object") return {"\u0000": "u"};
    if (value instanceof Date) return {"\u0000": "d", v: value.getTime()};
    if (value instanceof Error) return encodeError(value, depth);
    if (hasOwn.call(value, REF)) return {"\u0000": "h", v: value[REF]};
    var i, out;
    if (isArray(value)) {
      out = [];
      for (i = 0; i < value.length; i++) out.push(encode(value[i], depth + 1));
      return out;
    }
    out = {};
    for (i in value) {
      if (hasOwn.call(value, i)) out[i] = encode(value[i], depth + 1);
    }
    return out;
  }

  // A caught error crosses (to Stringify, say) with the fields the platform shows: message and
  // description for a platform error, message and jintException for the engine's own, then
  // whatever the script set on it (docs/fidelity.md#stringify-errors).
  function encodeError(error, depth) {
    var out = {message: encode(error.message, depth + 1)};
    if (hasOwn.call(error, PLATFORM)) out.description = encode(error.description, depth + 1);
    else out.jintException = encode(error.jintException, depth + 1);
    for (var i in error) {
      if (hasOwn.call(error, i)) out[i] = encode(error[i], depth + 1);
    }
    return out;
  }

  function revive(key, value) {
    if (value === null || typeof value !== "object" || !hasOwn.call(value, TAG)) return value;
    var kind = value[TAG];
    if (kind === "u") return undefined;
    if (kind === "n") return Number(value.v);
    if (kind === "d") return new Date(value.v);
    if (!hasOwn.call(refs, value.v)) {
      var made = value.f || {};
      own(made, REF, value.v);
      refs[value.v] = made;
    }
    return refs[value.v];
  }

  var ERRORS = {TypeError: TypeError, RangeError: RangeError, ReferenceError: ReferenceError,
                SyntaxError: SyntaxError};

  function platformError(e) {
    var Ctor = hasOwn.call(ERRORS, e.name) ? ERRORS[e.name] : Error;
    var err = new Ctor(e.message);
    if (Ctor === Error && e.name && e.name !== "Error") own(err, "name", e.name);
    own(err, "description", e.description);
    own(err, "jintException", e.jintException);  // undefined for platform errors
    own(err, PLATFORM, true);
    return err;
  }

  function stopError() {
    return new Error("The page has stopped (Platform.Response.Redirect).");
  }

  function call(request) {
    if (stopped) throw stopError();
    var reply = parse(host(stringify(request)), revive);
    if (reply.x) {
      stopped = true;  // a redirect: nothing after it may reach the platform
      throw stopError();
    }
    if (hasOwn.call(reply, "e")) throw platformError(reply.e);
    return reply.r;
  }

  // Engine errors (TypeError on null, RangeError on deep recursion, ...) read like Jint's:
  // description is the message, jintException "<Name>: <message>"
  // (docs/fidelity.md#ssjs-engine-errors).
  defineProperty(Error.prototype, "description", {
    get: function () { return this.message; },
    set: function (v) { own(this, "description", v); }, configurable: true});
  defineProperty(Error.prototype, "jintException", {
    get: function () { return this.name + ": " + this.message; },
    set: function (v) { own(this, "jintException", v); }, configurable: true});

  function encodeArgs(list) {
    var out = [];
    for (var i = 0; i < list.length; i++) out.push(encode(list[i], 0));
    return out;
  }

  function method(owner, name, key) {
    return function () {
      return call({op: "call", o: owner, m: name, k: key, a: encodeArgs(arguments)});
    };
  }

  function property(target, owner, name, key) {
    defineProperty(target, name, {
      get: function () { return call({op: "get", o: owner, m: name, k: key}); },
      set: function (v) { call({op: "set", o: owner, m: name, k: key, v: encode(v, 0)}); },
      enumerable: true, configurable: true});
  }

  // A platform object: its known members, and for any other capitalised name a method that
  // the host answers with a "not emulated" error.
  function platformObject(owner, key, target) {
    var spec = surface[owner] || {props: [], methods: []};
    var i;
    target = target || {};
    for (i = 0; i < spec.methods.length; i++) {
      if (!hasOwn.call(target, spec.methods[i])) {
        target[spec.methods[i]] = method(owner, spec.methods[i], key);
      }
    }
    for (i = 0; i < spec.props.length; i++) {
      if (!hasOwn.call(target, spec.props[i])) property(target, owner, spec.props[i], key);
    }
    return new ProxyCtor(target, {get: function (t, name, receiver) {
      if (typeof name !== "string" || name in t) return reflectGet(t, name, receiver);
      if (/^[A-Z]/.test(name)) return method(owner, name, key);
      return undefined;
    }});
  }

  // Platform.Request's properties are pure functions of the request: one host call reads them.
  // The Core library's Request answers the same way (docs/fidelity.md#core-request).
  function requestObject() {
    var target = {};
    var spec = surface["Platform.Request"];
    for (var r = 0; r < spec.props.length; r++) {
      (function (name) {
        defineProperty(target, name, {
          get: function () {
            if (requestProps === null) requestProps = call({op: "props", o: "Platform.Request"});
            return requestProps[name];
          },
          set: function () {}, enumerable: true, configurable: true});
      })(spec.props[r]);
    }
    return platformObject("Platform.Request", undefined, target);
  }

  var platform = platformObject("Platform", undefined, {
    Request: requestObject(),
    Function: platformObject("Platform.Function"),
    Response: platformObject("Platform.Response"),
    Variable: platformObject("Platform.Variable"),
    Load: function () {
      var result = call({op: "call", o: "Platform", m: "Load", a: encodeArgs(arguments)});
      coreLoaded = true;
      return result;
    }
  });
  own(global, "Platform", platform);

  // The Core library: undefined until Platform.Load (the host says why when it is read).
  var core = {
    DataExtension: platformObject("DataExtension", undefined, {
      Init: function (key) {
        return {Rows: platformObject("Rows", encode(key, 0))};
      }
    }),
    Variable: platformObject("Variable"),
    Write: method("", "Write"),
    Stringify: method("", "Stringify"),
    Now: method("", "Now"),
    GUID: method("", "GUID"),
    Request: requestObject(),
    // Doors to the object model (emulator/platform/core_objects.py): Init never calls the host,
    // so it never fetches and never throws; the key travels with every member call.
    Subscriber: platformObject("Subscriber", undefined, {
      Init: function (key) {
        var k = encode(key, 0);
        return platformObject("Subscriber.Init(key)", k, {
          Lists: platformObject("Subscriber.Init(key).Lists", k),
          Attributes: platformObject("Subscriber.Init(key).Attributes", k)});
      }
    }),
    List: platformObject("List", undefined, {
      Init: function (key) {
        var k = encode(key, 0);
        return platformObject("List.Init(key)", k, {
          Subscribers: platformObject("List.Init(key).Subscribers", k)});
      }
    }),
    Folder: platformObject("Folder", undefined, {
      Init: function (key) { return platformObject("Folder.Init(key)", encode(key, 0)); }
    }),
    Attribute: platformObject("Attribute")
  };
  // Core objects the emulator lacks (emulator/platform/globals.py CORE_NOT_EMULATED): every
  // member call says "not emulated" (docs/fidelity.md#not-emulated-objects).
  var lacking = ["HTTP", "HTTPHeader", "ErrorUtil", "Send",
                 "TriggeredSend", "Account", "AccountUser", "ContentAreaObj", "DeliveryProfile",
                 "Email", "FilterDefinition", "Portfolio", "QueryDefinition",
                 "SendClassification", "SenderProfile", "Template", "BounceEvent", "ClickEvent",
                 "OpenEvent", "SentEvent", "NotSentEvent", "UnsubEvent"];
  for (var n = 0; n < lacking.length; n++) core[lacking[n]] = platformObject(lacking[n]);
  for (var name in core) {
    (function (name) {
      defineProperty(global, name, {
        get: function () {
          if (!coreLoaded) call({op: "get", o: "", m: name});
          return core[name];
        },
        set: function (v) {
          defineProperty(global, name, {value: v, writable: true, configurable: true,
                                        enumerable: true});
        },
        configurable: true});
    })(name);
  }

  // Script.Util: WSProxy is emulated (no Platform.Load needed); HttpRequest and the rest say
  // "not emulated" on a call or `new`. A proxy is a host object; its methods forward to it.
  own(global, "Script", {Util: platformObject("Script.Util", undefined, {
    WSProxy: function () {
      var proxy = call({op: "call", o: "Script.Util", m: "WSProxy", a: []});
      return platformObject("Script.Util.WSProxy", encode(proxy, 0));
    }
  })});

  // Used by the worker for the literal text and AMPscript around script blocks.
  own(global, "__emit", function (kind, text) { return call({op: kind, t: text}); });
})(globalThis, __host, __surface);
