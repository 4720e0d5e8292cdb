<script runat="server">
  // Hardened token CloudPage: the seed article's request format ({"operation": "RequestToken",
  // "grant_type", "client_id", "client_secret"}), with its flaws fixed, for trainers to show
  // beside the original:
  //  - wrong or missing credentials answer {"Error": ...}, never a token;
  //  - the secret is compared exactly in the script (a Data Extension filter compares text
  //    case-insensitively), after a lookup by client_id alone;
  //  - the payload is built from claims, never the raw body: client_id, iat, exp, jti; no secret;
  //  - the token expires (tokenLifetime seconds) and the answer says when.
  // ES3-era syntax, as Jint accepts it. emulator/pages/hardened.py ports this file line by line.

  Platform.Load("core", "1");
  var errorLogDEInit = "CustomAppException";
  var tokenLifetime = 3600;
  var notAuthorized = "Not Authorized. Please validate your credentials.";

  try {
    var jsonPost = Platform.Request.GetPostData();
    var json = Platform.Function.ParseJSON(jsonPost);
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
    var response;
    if (Platform.Request.Method == "GET") {
      response = {"Error": "Method not allowed: use POST."};
    } else if (json === null || typeof json !== "object" || json instanceof Array) {
      response = {"Error": "The request body must be a JSON object."};
    } else if (json.operation === "RequestToken") {
      response = IssueToken(json);
    } else {
      response = {"Error": "Invalid operation specified."};
    }
    Write(Stringify(response));
  } catch (ex) {
    var APIExceptionDE = DataExtension.Init(errorLogDEInit);
    APIExceptionDE.Rows.Add({
      Message: ex.message,
      Description: ex.description,
      InnerException: ex.jintException,
      FunctionName: "Main Block"
    });
    // The details stay in CustomAppException; the client learns nothing about the internals.
    Write(Stringify({"Error": "The token could not be issued."}));
  }

  function IssueToken(credentials) {
    if (credentials.grant_type !== "client_credentials") {
      return {"Error": "Unsupported grant_type: use client_credentials."};
    }
    if (typeof credentials.client_id !== "string" || !credentials.client_id ||
        typeof credentials.client_secret !== "string" || !credentials.client_secret) {
      return {"Error": "Missing credentials: client_id and client_secret are required."};
    }
    var appCredentialsDE = DataExtension.Init("AppCredentials");
    var dataSet = appCredentialsDE.Rows.Retrieve({
      Property: "client_id",
      SimpleOperator: "equals",
      Value: credentials.client_id
    });
    if (!dataSet || dataSet.length !== 1 ||
        !ConstantTimeEquals(dataSet[0].client_secret, credentials.client_secret) ||
        !dataSet[0].signing_secret) {
      return {"Error": notAuthorized};
    }
    var now = EpochSeconds();
    Platform.Function.TreatAsContent("\%\%[SET @Jti = GUID()]\%\%");
    var claims = {
      client_id: dataSet[0].client_id,
      iat: now,
      exp: now + tokenLifetime,
      jti: Variable.GetValue("@Jti")
    };
    Variable.SetValue("@Payload", Stringify(claims));
    Variable.SetValue("@Secret", dataSet[0].signing_secret);
    Platform.Function.TreatAsContent("\%\%[SET @JWT = GetJWT(@Secret, 'HS256', @Payload)]\%\%");
    return {
      "access_token": Variable.GetValue("@JWT"),
      "token_type": "Bearer",
      "expires_in": tokenLifetime
    };
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
</script>
