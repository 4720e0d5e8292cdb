<script runat="server">
  // Reconstructed source of the seed article's token CloudPage ("Securing Custom Marketing Cloud
  // Apps with JSON Web Tokens (JWT)"). The article's HTML lost some lines; they are filled in as
  // docs/fidelity.md#seed-script describes. Comments marked
  // [restored] are those lines. emulator/pages/token.py ports this file line by line.

  // Load the Platform Core library with version 1
  Platform.Load("core", "1");
  // Define the name of the Data Extension used to log API exceptions
  var errorLogDEInit = "CustomAppException";
  // Main Block: This is the main logic of the script that processes incoming requests and generates responses.
  try {
    // Retrieve the POST data from the request
    var jsonPost = Platform.Request.GetPostData();
    var json = Platform.Function.ParseJSON(jsonPost);
    // Initialize the HTTPProperties Data Extension and add a row with request information
    var HTTPPropertiesDE = DataExtension.Init("HTTPProperties");
    HTTPPropertiesDE.Rows.Add({ // [restored]
      Browser: Platform.Request.Browser,
      ClientIP: Platform.Request.ClientIP,
      HasSSL: Platform.Request.HasSSL,
      IsSSL: Platform.Request.IsSSL,
      Method: Platform.Request.Method,
      QueryString: Platform.Request.QueryString,
      ReferrerURL: Platform.Request.ReferrerURL,
      RequestURL: Platform.Request.RequestURL,
      UserAgent: Platform.Request.UserAgent
    }); // [restored]
    if (Platform.Request.Method == "GET") {
      // If the HTTP method is GET, return a "403 Forbidden" message
      var response = {
        "message": "403 Forbidden"
      }; // [restored]
    } else {
      switch (json.operation) {
        case "RequestToken":
          // Call the GetAccessToken function to retrieve the access token
          var secret = GetAccessToken(json, errorLogDEInit);
          // Generate the JWT using the GetJWT function
          var jwt = GetJWT(jsonPost, secret, errorLogDEInit);
          // Create the response object with the JWT and token type
          var response = {
            "access_token": jwt,
            "token_type": "Bearer"
          }; // [restored]
          break; // [restored]
        default: // [restored]
          // Create an error response object for invalid operations
          var response = {
            "Error": "Invalid operation specified."
          }; // [restored]
      } // [restored]
    } // [restored]
    // Output the response as a string
    Write(Stringify(response)); // [restored]
  } catch(ex) {
    // Exception handling: Log the error details into the errorLogDEInit Data Extension
    var APIExceptionDE = DataExtension.Init(errorLogDEInit);
    APIExceptionDE.Rows.Add({ // [restored]
      Message: ex.message,
      Description: ex.description,
      InnerException: ex.jintException,
      FunctionName: "Main Block"
    }); // [restored]
    // Return an error response as a string in case of an exception
    var response = {
      "Error": ex.message
    }; // [restored]
    Write(Stringify(response)); // [restored]
  } // [restored]

  /**
   * This function retrieves the access token based on the provided credentials.
   * @param {Object} credentials - An object containing the authentication credentials.
   * @param {string} credentials.grant_type - The grant type for authentication.
   * @param {string} credentials.client_id - The client ID for authentication.
   * @param {string} credentials.client_secret - The client secret for authentication.
   * @param {DataExtension} errorLogDEInit - The Data Extension used to log API exceptions.
   * @returns {Object} - An object containing the access token and related information.
   * @throws {Error} - If an exception occurs during execution, it is logged in the errorLogDEInit Data Extension and re-thrown.
   */
  function GetAccessToken(credentials, errorLogDEInit) {
    try {
      if (!credentials.grant_type || !credentials.client_id || !credentials.client_secret) {
        return {
          "errorcode": 0,
          "message": "missing credentials, make sure you have add grant_type, client id and secret."
        }; // [restored]
      } else { // [restored]
        var appCredentialsDE = DataExtension.Init("AppCredentials");
        var complexfilter = { // [restored: the filter's body]
          LeftOperand: {
            Property: "client_id",
            SimpleOperator: "equals",
            Value: credentials.client_id
          },
          LogicalOperator: "AND",
          RightOperand: {
            Property: "client_secret",
            SimpleOperator: "equals",
            Value: credentials.client_secret
          }
        };
        var dataSet= appCredentialsDE.Rows.Retrieve(complexfilter);
        if (!dataSet || dataSet.length === 0) { // [restored: braces]
          var response={
            "message": "Not Authorized. Please validate your credentials.","code":400};
          return response;
        } else { // [restored]
          return (dataSet[0].signing_secret);
        } // [restored]
      } // [restored]
    } catch (ex) {
      // Exception handling: Log the error details into the errorLogDEInit Data Extension
      var APIExceptionDE = DataExtension.Init(errorLogDEInit);
      APIExceptionDE.Rows.Add({ // [restored]
        Message: ex.message,
        Description: ex.description,
        InnerException: ex.jintException,
        FunctionName: "GetAccessToken"
      }); // [restored]
      throw ex;
    } // [restored]
  } // [restored]

  /**
   * Generates a JSON Web Token (JWT) from the provided JSON payload using a predefined key and algorithm.
   * @param {string} payload - The JSON payload to be used for generating the JWT.
   * @param {string} signingSecret - The signingSecret to be used for generating the JWT.
   * @param {string} errorLogDEInit - The name of the Data Extension where exceptions will be logged.
   * @returns {string} The generated JWT as a string.
   * @throws {Error} If an exception occurs during JWT generation, it will be caught, logged, and rethrown.
   */
  function GetJWT(payload, signingSecret, errorLogDEInit) {
    try {
      // Set the value of the "@JSON" variable to the provided JSON payload
      Variable.SetValue("@JSON", payload);
      Variable.SetValue("@Secret", signingSecret);
      // Define the AMPscript block to generate the JWT using the GetJWT function
      var ampScriptBlock = "\%\%[SET @JWT = GetJWT(@Secret, 'HS256', @JSON)]\%\%";
      // Process the AMPscript block and execute it
      Platform.Function.TreatAsContent(ampScriptBlock); // [restored]
      // Return the generated JWT value
      return Variable.GetValue('@JWT');
    } catch (ex) {
      // Exception handling: Log the error details into the errorLogDEInit Data Extension
      var APIExceptionDE = DataExtension.Init(errorLogDEInit);
      APIExceptionDE.Rows.Add({ // [restored]
        Message: ex.message,
        Description: ex.description,
        InnerException: ex.jintException,
        FunctionName: "GetJWT"
      }); // [restored]
      throw ex;
    } // [restored]
  } // [restored]
</script>
