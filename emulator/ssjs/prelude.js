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
  var sendStubs = 0;

  function own(obj, name, value) {
    defineProperty(obj, name, {value: value, writable: true, configurable: true,
                               enumerable: false});
  }

  // JS value -> JSON-safe wire value; undefined, non-finite numbers, dates and host
  // objects travel as tagged objects so that Python gets them back exactly. For Stringify
  // (``named``) a function is the text "function", a Core stub's methods too
  // (docs/fidelity.md#stringify-values); elsewhere it stays undefined.
  function encode(value, depth, named) {
    if (depth > MAX_DEPTH) {
      throw new RangeError("A value passed to the platform is nested too deeply.");
    }
    var type = typeof value;
    if (value === null || type === "string" || type === "boolean") return value;
    if (type === "number") return isFinite(value) ? value : {"\u0000": "n", v: String(value)};
    if (named && type === "function") return "function";
    if (type !== "object") return {"\u0000": "u"};
    if (value instanceof Date) return {"\u0000": "d", v: value.getTime()};
    if (value instanceof Error) return encodeError(value, depth);
    if (hasOwn.call(value, REF)) return {"\u0000": "h", v: value[REF]};
    var i, out;
    if (isArray(value)) {
      out = [];
      for (i = 0; i < value.length; i++) out.push(encode(value[i], depth + 1, named));
      return out;
    }
    out = {};
    for (i in value) {
      if (hasOwn.call(value, i)) out[i] = encode(value[i], depth + 1, named);
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
    return reply(request).r;
  }

  function reply(request) {
    if (stopped) throw stopError();
    var answer = parse(host(stringify(request)), revive);
    if (answer.x) {
      stopped = true;  // a redirect: nothing after it may reach the platform
      throw stopError();
    }
    if (hasOwn.call(answer, "e")) {
      if (hasOwn.call(answer.e, "raw")) throw answer.e.raw;  // the platform threw a bare string
      throw platformError(answer.e);
    }
    return answer;
  }

  // A method whose array arguments are out-parameters: the call fills them
  // (Platform.Function.InvokeRetrieve(request, status), docs/fidelity.md#ssjs-object-functions).
  function outMethod(owner, name) {
    return function () {
      var answer = reply({op: "call", o: owner, m: name, a: encodeArgs(arguments), out: 1});
      for (var i = 0; i < arguments.length; i++) {
        var given = arguments[i], filled = answer.o[i];
        if (!isArray(given) || !isArray(filled)) continue;
        given.length = 0;
        for (var j = 0; j < filled.length; j++) given.push(filled[j]);
      }
      return answer.r;
    };
  }
  var OUT_FUNCTIONS = ["InvokeCreate", "InvokeUpdate", "InvokeDelete", "InvokeRetrieve",
                       "InvokePerform", "InvokeExecute"];
  var functions = {};
  for (var f = 0; f < OUT_FUNCTIONS.length; f++) {
    functions[OUT_FUNCTIONS[f]] = outMethod("Platform.Function", OUT_FUNCTIONS[f]);
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

  function encodeArgs(list, named) {
    var out = [];
    for (var i = 0; i < list.length; i++) out.push(encode(list[i], 0, named));
    return out;
  }

  function method(owner, name, key) {
    var named = name === "Stringify";
    return function () {
      return call({op: "call", o: owner, m: name, k: key, a: encodeArgs(arguments, named)});
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
    Function: platformObject("Platform.Function", undefined, functions),
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
    // docs/fidelity.md#content-blocks: the bare globals read only their first argument
    ContentBlockByKey: method("", "ContentBlockByKey"),
    ContentBlockByName: method("", "ContentBlockByName"),
    ContentBlockByID: method("", "ContentBlockByID"),
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
      Init: function (key) {
        // the platform's member order, which Stringify shows (docs/fidelity.md#stringify-values)
        var k = encode(key, 0), owner = "Folder.Init(key)";
        return platformObject(owner, k, {SetID: method(owner, "SetID", k),
                                         Remove: method(owner, "Remove", k),
                                         Update: method(owner, "Update", k)});
      }
    }),
    Attribute: platformObject("Attribute"),
    HTTP: platformObject("HTTP"),  // outbound calls (emulator/platform/http.py)
    // A stub's LastRequestID and LastMessage are host properties of that stub: its number
    // travels with the key, so they outlive one call (docs/fidelity.md#core-triggered-send).
    TriggeredSend: platformObject("TriggeredSend", undefined, {
      Init: function (key) {
        var k = [encode(key, 0), ++sendStubs], owner = "TriggeredSend.Init(key)", target = {};
        var names = ["Send", "Start", "Pause", "Publish", "Update"];
        for (var i = 0; i < names.length; i++) target[names[i]] = method(owner, names[i], k);
        var tracking = owner + ".Tracking";
        target.Tracking = {Retrieve: method(tracking, "Retrieve", k),
                           Clicks: {Retrieve: method(tracking + ".Clicks", "Retrieve", k)},
                           TotalByInterval: {
                             Retrieve: method(tracking + ".TotalByInterval", "Retrieve", k)}};
        property(target, owner, "LastRequestID", k);
        property(target, owner, "LastMessage", k);
        return platformObject(owner, k, target);
      }
    })
  };
  // Core objects the emulator lacks (emulator/platform/globals.py CORE_NOT_EMULATED): every
  // member call says "not emulated" (docs/fidelity.md#not-emulated-objects).
  var lacking = ["HTTPHeader", "ErrorUtil", "Send", "Account", "AccountUser",
                 "ContentAreaObj", "DeliveryProfile", "Email", "FilterDefinition", "Portfolio",
                 "QueryDefinition", "SendClassification", "SenderProfile", "Template", "BounceEvent", "ClickEvent",
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

  // Script.Util.HttpRequest/HttpGet/HttpPost: a host object whose properties and methods
  // forward to it; send() answers the CLR shapes (docs/fidelity.md#script-util-http).
  var CLR_DENIED = "Use of Common Language Runtime (CLR) is not allowed";
  function httpRequest(kind) {
    return function () {
      var made = call({op: "call", o: "Script.Util", m: kind, a: encodeArgs(arguments)});
      var owner = "Script.Util.HttpRequest", k = encode(made, 0);
      return platformObject(owner, k, {send: function () {
        return clrResponse(call({op: "call", o: owner, m: "send", k: k,
                                 a: encodeArgs(arguments)}));
      }});
    };
  }
  function clrResponse(r) {
    // statusCode and content are CLR values: == 200 holds, === 200 does not; Number() and
    // "" + content give the plain ones. headers enumerate only as "[Name, Value]" keys.
    return {statusCode: new Number(r.statusCode), returnStatus: r.returnStatus,
            content: new String(r.content), contentType: r.contentType, encoding: r.encoding,
            headers: clrHeaders(r.headers)};
  }
  function clrHeaders(pairs) {
    var target = {};
    for (var i = 0; i < pairs.length; i++) {
      target["[" + pairs[i][0] + ", " + pairs[i][1] + "]"] = pairs[i][1];
    }
    return new ProxyCtor(target, {get: function (t, name, receiver) {
      if (typeof name !== "string" || hasOwn.call(t, name) || name === "toString" ||
          name === "valueOf") return reflectGet(t, name, receiver);
      throw platformError({name: "Error", message: CLR_DENIED, description: CLR_DENIED});
    }});
  }

  // Script.Util: WSProxy and the HTTP requests are emulated (no Platform.Load needed). A proxy
  // is a host object; its methods forward to it.
  own(global, "Script", {Util: platformObject("Script.Util", undefined, {
    WSProxy: function () {
      var proxy = call({op: "call", o: "Script.Util", m: "WSProxy", a: []});
      return platformObject("Script.Util.WSProxy", encode(proxy, 0));
    },
    HttpRequest: httpRequest("HttpRequest"),
    HttpGet: httpRequest("HttpGet"),
    HttpPost: httpRequest("HttpPost")
  })});

  // Used by the worker for the literal text and AMPscript around script blocks.
  own(global, "__emit", function (kind, text) { return call({op: kind, t: text}); });
})(globalThis, __host, __surface);
