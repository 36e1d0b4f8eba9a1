// Test keys generated once with openssl (genrsa / rsa -pubout / genpkey ed25519); public halves only.
#pragma once
namespace dkimdoctor::diagnose::testkeys {
inline constexpr const char* k512_spki = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAOh8xq1+2xrk7yzKhQzmItFfLh87voROfFrZ0zb22HE9nyYleo9BTIfpuqWo5rreYv9jgJ/TJl2na8Q8/r0IQwMCAwEAAQ==";
inline constexpr const char* k1024_spki = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCxT2j2T8SIR1Fndltd4sI3WiZRcf5TsbihfQ2H3AXcSvUC6VmTHdvXoknoilBdSfMNto3+FCunF7n+WVrWx9qVnb+nBro0N5otAcj3YUN7xrcpaDE4hslww8HXEYYQPergNY38vqzn+BjeqqvPTWeCD9qA7aZnYZdsRQyHxbdUOQIDAQAB";
inline constexpr const char* k2048_spki = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqAaj3hbSfCkAHWxPVWGPr7QOh2mQiQRSLTUQBIwLBYASns3Op+plRTGlO8hiXm9lAX2/oe8bmPjc+VTckirOJ/ib8mQ79YhC184GI9Jia1JQ6NxMQeytNjMXr0K0bYBtTxkPAOsibYiZddJ7jdL+F9JVAILhbgNTIdsUT7vzR7rIjCoAlvc41PoFYCM6eWLXdIdcKERqL2Eedrjh2m6M6+Uz3fhKpPW0idk4bFq0Sv1KYwDUrhlYkT48QxN6lLshjcjCcvW7DdCbRzjPupwePYx4ljdaoa41kWGcqM3n6k1FrjkGgbqEo3d2YMR22FT1GLRMlI/uprk4pyDEOkDoMwIDAQAB";
inline constexpr const char* k2048b_spki = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjuYlgGCdtOqLQip/bjhfhQOaIZvkURKsMK0c4+jpTBFrykDdgVp4eV9/mlrYdBDyS/zE8+dyh6aZVJjAV0bGNXxhR7+NrHmn/qjda5cZ6gvTWhzVeX5SeGjKgmE7q7s4p4rLOiVquQxYilMjKBS+mfIdRyCSlQfQmDbpJKYpMTvNp+rjygk7VGFDjXe8t56w5vNzJ9OfE3OdYyPm1iLs+3TU6QiWG4Y91bptCk1sMq8pHxKnb/1oFMgNpro/R+MT4B2lxZPWmAvslALINs2l18PoOwWshkxGjCAryoGQysmnhRWEFdKxSK1hzMzyI3DFIpgVpHvg4zD6DxPB/brcrwIDAQAB";
inline constexpr const char* k4096_spki = "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEArEJ6EqQvoJbBxQpy8rLBJCm3qm/F+ro32VMSbQiNk+gatraklEPNBR+CrLK6yfmJ7Mp5DI/8/6cGhtpFLbI9gbavfHzBNIRCX+7voBYmcNFq0uU7PJqGWHawddbKZH/qyxJzWh8QLcMBBkxAO6pi4ZP3PJdj4fCb810pZJiUYEDeuBwCp8APTrrFWp6g1VPWGB5ySU/fHKj9PrMmfCKadH/HCVpFtIE3xedr+6FQk17oO5GlH5stk+opGVx3LpgGEoTNJHNKjMwaErC5jhEI9VlDarl5qv1bignJ5RZidTHPBMWs4F6UjIaA3ERa282AOdVLWTleafXxdpwQfiu87Z1Tvtk48BjM8KOE12Xk6S+6Hd4/E0TZsfTPSHbrHQWHxVNXoXTv0KfvES0K3IdVSwvw6qhYytQqDSTfqMxwge44AWzKjQh01EOeqjbsrq2jxkzuwyNHzhK2oIage+gciriCUJvZlEpGWYIkPP/sjnOayYoPjQuXsa+7xISB3mjd439ippSJkTBES5uAzD3nO9ij+hLmkNL/Dwz+9+8eaV8TJ4TfMC99kLROBgWvzgC9DNWPIKC7As8kjbLynMNYuzyS8us5AhaBExzyPJsbnQimq7vypLCxB+GwMx4Dgv3Q0vGrglybseofFa/ZHqdIjsFEtFp6jxGjJEw4oHyDkQsCAwEAAQ==";
inline constexpr const char* k1024_pkcs1 = "MIGJAoGBALFPaPZPxIhHUWd2W13iwjdaJlFx/lOxuKF9DYfcBdxK9QLpWZMd29eiSeiKUF1J8w22jf4UK6cXuf5ZWtbH2pWdv6cGujQ3mi0ByPdhQ3vGtyloMTiGyXDDwdcRhhA96uA1jfy+rOf4GN6qq89NZ4IP2oDtpmdhl2xFDIfFt1Q5AgMBAAE=";
inline constexpr const char* ed25519_spki = "MCowBQYDK2VwAyEAFqHf0lPyLY++Zht1NQEpq73wyU1kHvuZ67JT4yf7lDs=";
inline constexpr const char* k2048_pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqAaj3hbSfCkAHWxPVWGP\n"
    "r7QOh2mQiQRSLTUQBIwLBYASns3Op+plRTGlO8hiXm9lAX2/oe8bmPjc+VTckirO\n"
    "J/ib8mQ79YhC184GI9Jia1JQ6NxMQeytNjMXr0K0bYBtTxkPAOsibYiZddJ7jdL+\n"
    "F9JVAILhbgNTIdsUT7vzR7rIjCoAlvc41PoFYCM6eWLXdIdcKERqL2Eedrjh2m6M\n"
    "6+Uz3fhKpPW0idk4bFq0Sv1KYwDUrhlYkT48QxN6lLshjcjCcvW7DdCbRzjPupwe\n"
    "PYx4ljdaoa41kWGcqM3n6k1FrjkGgbqEo3d2YMR22FT1GLRMlI/uprk4pyDEOkDo\n"
    "MwIDAQAB\n"
    "-----END PUBLIC KEY-----\n"
    ;
inline constexpr const char* k1024_rsa_pem =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIGJAoGBALFPaPZPxIhHUWd2W13iwjdaJlFx/lOxuKF9DYfcBdxK9QLpWZMd29ei\n"
    "SeiKUF1J8w22jf4UK6cXuf5ZWtbH2pWdv6cGujQ3mi0ByPdhQ3vGtyloMTiGyXDD\n"
    "wdcRhhA96uA1jfy+rOf4GN6qq89NZ4IP2oDtpmdhl2xFDIfFt1Q5AgMBAAE=\n"
    "-----END RSA PUBLIC KEY-----\n"
    ;
}  // namespace dkimdoctor::diagnose::testkeys
