<script runat="server">
  // Protected CloudPage (steps 4 and 5 of the seed article): the app calls it with
  // "Authorization: Bearer <token>" and the page verifies the token with the signing secret it
  // shares with the app. SFMC has no JWT verify function, so the page recomputes the signature
  // with AMPscript GetJWT and compares. Every answer is HTTP 200 (there is no SSJS status
  // setter): {"Error": "<reason>"} when the token is refused, the verified claims otherwise.
  // ES3-era syntax, as Jint accepts it. emulator/pages/api.py ports this file line by line.

  Platform.Load("core", "1");
  var errorLogDEInit = "CustomAppException";
  var maxTokenLength = 8192;
  var algorithms = ["HS256", "HS384", "HS512"];
  var secretName = /secret|password|passwd|pwd|api[_-]?key|private[_-]?key/i;
  var base64url = /^[A-Za-z0-9_-]+$/;

  try {
    var HTTPPropertiesDE = DataExtension.Init("HTTPProperties");
    HTTPPropertiesDE.Rows.Add({
      Browser: Platform.Request.Browser,
      ClientIP: Platform.Request.ClientIP,
      HasSSL: Platform.Request.HasSSL,
      IsSSL: Platform.Request.IsSSL,
      Method: Platform.Request.Method,
      QueryString: Platform.Request.QueryString,
      ReferrerURL: Platform.Request.ReferrerURL,
      RequestURL: Platform.Request.RequestURL,
      UserAgent: Platform.Request.UserAgent
    });
    var response = VerifyRequest(Platform.Request.GetRequestHeader("Authorization"));
    Write(Stringify(response));
  } catch (ex) {
    var APIExceptionDE = DataExtension.Init(errorLogDEInit);
    APIExceptionDE.Rows.Add({
      Message: ex.message,
      Description: ex.description,
      InnerException: ex.jintException,
      FunctionName: "Main Block"
    });
    Write(Stringify({"Error": ex.message}));
  }

  function Reject(reason) {
    return {"Error": reason};
  }

  function VerifyRequest(authorization) {
    if (!authorization) {
      return Reject("Missing Authorization header.");
    }
    // HTTP authentication schemes are case-insensitive; spaces around the token do not count.
    var parts = String(authorization).replace(/^\s+|\s+$/g, "").split(/\s+/);
    if (parts[0].toLowerCase() !== "bearer") {
      return Reject("Authorization scheme must be Bearer.");
    }
    if (parts.length < 2) {
      return Reject("Missing bearer token.");
    }
    if (parts.length > 2) {
      return Reject("Authorization header must carry exactly one token.");
    }
    return VerifyToken(parts[1]);
  }

  function VerifyToken(token) {
    if (token.length > maxTokenLength) {
      return Reject("Token too large.");
    }
    var segments = token.split(".");
    if (segments.length !== 3) {
      return Reject("Malformed token: expected three dot-separated segments.");
    }
    for (var i = 0; i < segments.length; i++) {
      if (!base64url.test(segments[i])) {
        return Reject("Malformed token: segments must be unpadded Base64url.");
      }
    }
    var headerText = Base64UrlDecode(segments[0]);
    var header = Platform.Function.ParseJSON(headerText);
    if (!IsPlainObject(header)) {
      return Reject("Malformed token: the header is not a JSON object.");
    }
    var alg = header.alg;
    if (typeof alg !== "string" || !Contains(algorithms, alg)) {
      return Reject("Unsupported algorithm: only HS256, HS384 and HS512 are accepted.");
    }
    // GetJWT always writes this exact header: anything else was not issued by a CloudPage.
    if (headerText !== '{"alg":"' + alg + '","typ":"JWT"}') {
      return Reject("Invalid token header.");
    }
    var payloadText = Base64UrlDecode(segments[1]);
    var claims = Platform.Function.ParseJSON(payloadText);
    if (!IsPlainObject(claims)) {
      return Reject("Malformed token: the payload is not a JSON object.");
    }
    var clientId = claims.client_id;
    if (clientId === undefined || clientId === null || clientId === "") {
      return Reject("Token has no client_id claim.");
    }
    if (typeof clientId !== "string") {
      return Reject("The client_id claim must be a string.");
    }
    var signingSecret = FindSigningSecret(clientId);
    if (!signingSecret) {
      return Reject("Unknown client.");
    }
    if (!ConstantTimeEquals(SignLike(signingSecret, alg, payloadText), token)) {
      return Reject("Invalid token signature.");
    }
    if (claims.exp !== undefined) {
      if (typeof claims.exp !== "number") {
        return Reject("The exp claim must be a number.");
      }
      if (claims.exp <= EpochSeconds()) {
        return Reject("Token has expired.");
      }
    }
    return {"verified": true, "claims": WithoutSecrets(claims)};
  }

  function Base64UrlDecode(segment) {
    var text = segment.replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4 !== 0) {
      text += "=";
    }
    Variable.SetValue("@Segment", text);
    try {
      Platform.Function.TreatAsContent("\%\%[SET @Decoded = Base64Decode(@Segment, 'UTF-8')]\%\%");
    } catch (ex) {
      return null; // not Base64: the caller reports a malformed token
    }
    return Variable.GetValue("@Decoded");
  }

  function FindSigningSecret(clientId) {
    var appCredentialsDE = DataExtension.Init("AppCredentials");
    var dataSet = appCredentialsDE.Rows.Retrieve({
      Property: "client_id",
      SimpleOperator: "equals",
      Value: clientId
    });
    if (!dataSet || dataSet.length === 0) {
      return null;
    }
    return dataSet[0].signing_secret;
  }

  function SignLike(signingSecret, alg, payloadText) {
    Variable.SetValue("@Secret", signingSecret);
    Variable.SetValue("@Alg", alg);
    Variable.SetValue("@Payload", payloadText);
    Platform.Function.TreatAsContent("\%\%[SET @Expected = GetJWT(@Secret, @Alg, @Payload)]\%\%");
    return Variable.GetValue("@Expected");
  }

  function EpochSeconds() {
    // Now() is CST (UTC-6); 12/31/1969 6 PM CST is the Unix epoch. DateDiff counts whole
    // minutes, the seconds come from the clock's own seconds field.
    Platform.Function.TreatAsContent("\%\%[SET @Now = Now() " +
      "SET @Epoch = Add(Multiply(DateDiff('1969-12-31 18:00:00', @Now, 'MI'), 60), " +
      "FormatDate(@Now, 'ss'))]\%\%");
    return Number(Variable.GetValue("@Epoch"));
  }

  function ConstantTimeEquals(left, right) {
    if (typeof left !== "string" || left.length !== right.length) {
      return false;
    }
    var difference = 0;
    for (var i = 0; i < left.length; i++) {
      difference |= left.charCodeAt(i) ^ right.charCodeAt(i);
    }
    return difference === 0;
  }

  function WithoutSecrets(value) {
    if (Object.prototype.toString.call(value) === "[object Array]") {
      var items = [];
      for (var i = 0; i < value.length; i++) {
        items.push(WithoutSecrets(value[i]));
      }
      return items;
    }
    if (!IsPlainObject(value)) {
      return value;
    }
    var kept = {};
    for (var name in value) {
      if (!secretName.test(name)) {
        kept[name] = WithoutSecrets(value[name]);
      }
    }
    return kept;
  }

  function IsPlainObject(value) {
    return value !== null && typeof value === "object" &&
      Object.prototype.toString.call(value) !== "[object Array]";
  }

  function Contains(list, item) {
    for (var i = 0; i < list.length; i++) {
      if (list[i] === item) {
        return true;
      }
    }
    return false;
  }
</script>
