//! An S3-compatible object store (AWS S3, MinIO, Garage, Ceph, SeaweedFS, …) through its
//! HTTP API: PUT, GET and HEAD of one object, path-style addresses
//! (`<endpoint>/<bucket>/<key>`), requests signed with AWS Signature Version 4 (below, by
//! hand: a few HMACs, tested against AWS's documented examples).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::io;
use std::time::Duration;

/// Where the bucket is and the credentials to use it.
#[derive(Clone)]
pub struct S3Config {
    /// `https://s3.example.vn` or `http://127.0.0.1:9000` (path-style: the bucket is the
    /// first segment of the path).
    pub endpoint: String,
    pub bucket: String,
    /// The region the signature names (`us-east-1` where the store has none).
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

pub struct S3 {
    config: S3Config,
    /// The endpoint without a trailing slash, and its `Host` header as signed.
    base: reqwest::Url,
    host: String,
    http: reqwest::Client,
}

/// Attempts per request: a dropped connection or a 5xx is retried (every request here is
/// idempotent: the same PUT twice stores the same bytes).
const ATTEMPTS: u32 = 3;

impl S3 {
    pub fn new(config: S3Config) -> io::Result<S3> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_string());
        let base = reqwest::Url::parse(config.endpoint.trim_end_matches('/'))
            .map_err(|e| invalid(&format!("S3 endpoint {:?}: {e}", config.endpoint)))?;
        if !matches!(base.scheme(), "http" | "https") || base.query().is_some() {
            return Err(invalid(&format!("S3 endpoint {:?}: an http(s) address without a query", config.endpoint)));
        }
        let host = match (base.host_str(), base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(invalid(&format!("S3 endpoint {:?}: no host", config.endpoint))),
        };
        let bucket_ok = (3..=63).contains(&config.bucket.len())
            && config.bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-'));
        if !bucket_ok {
            return Err(invalid(&format!("S3 bucket {:?}: 3–63 of a–z, 0–9, '.', '-'", config.bucket)));
        }
        if config.access_key_id.is_empty() || config.secret_access_key.is_empty() || config.region.is_empty() {
            return Err(invalid("S3: the region, access key id and secret access key are all needed"));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(io::Error::other)?;
        Ok(S3 { config, base, host, http })
    }

    pub fn describe(&self) -> String {
        format!("{}/{}", self.base.as_str().trim_end_matches('/'), self.config.bucket)
    }

    /// `HEAD /<bucket>`: an error naming what is wrong (no bucket, credentials refused).
    pub async fn check_bucket(&self) -> io::Result<()> {
        let status = self.send(reqwest::Method::HEAD, None, Vec::new()).await?.status();
        match status.as_u16() {
            200..=299 => Ok(()),
            404 => Err(io::Error::other(format!("{}: no such bucket", self.describe()))),
            403 => Err(io::Error::other(format!("{}: access refused (check the keys and region)", self.describe()))),
            _ => Err(io::Error::other(format!("{}: the object store answered {status}", self.describe()))),
        }
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> io::Result<()> {
        let response = self.send(reqwest::Method::PUT, Some(key), bytes).await?;
        ok_or_error(response, key).await.map(drop)
    }

    pub async fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        let response = self.send(reqwest::Method::GET, Some(key), Vec::new()).await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = ok_or_error(response, key).await?;
        Ok(Some(response.bytes().await.map_err(io::Error::other)?.to_vec()))
    }

    pub async fn exists(&self, key: &str) -> io::Result<bool> {
        let response = self.send(reqwest::Method::HEAD, Some(key), Vec::new()).await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(false);
        }
        ok_or_error(response, key).await.map(|_| true)
    }

    /// One signed request, retried on a connection error or a 5xx answer.
    async fn send(&self, method: reqwest::Method, key: Option<&str>, body: Vec<u8>) -> io::Result<reqwest::Response> {
        let path = match key {
            Some(key) => format!("{}/{}/{key}", self.base.path().trim_end_matches('/'), self.config.bucket),
            None => format!("{}/{}", self.base.path().trim_end_matches('/'), self.config.bucket),
        };
        let path = uri_encode(&path);
        let mut url = self.base.clone();
        url.set_path(&path);
        let payload = hex(&Sha256::digest(&body));
        let mut last = None;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100 << (2 * attempt))).await;
            }
            let now = Timestamp::now();
            let headers = [("host", self.host.as_str()), ("x-amz-content-sha256", &payload), ("x-amz-date", &now.0)];
            let authorization = authorization(&self.config, method.as_str(), &path, "", &headers, &payload, &now.0);
            let request = self
                .http
                .request(method.clone(), url.clone())
                .header("x-amz-content-sha256", &payload)
                .header("x-amz-date", &now.0)
                .header("authorization", authorization)
                .body(body.clone());
            match request.send().await {
                Ok(r) if !r.status().is_server_error() => return Ok(r),
                Ok(r) => {
                    last =
                        Some(io::Error::other(format!("{}: the object store answered {}", self.describe(), r.status())))
                }
                Err(e) => last = Some(io::Error::other(format!("{}: {e}", self.describe()))),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no attempt")))
    }
}

/// The response if it is a success; else an error with its status and the start of its body.
async fn ok_or_error(response: reqwest::Response, key: &str) -> io::Result<reqwest::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    let text: String = text.chars().take(300).collect();
    Err(io::Error::other(format!("object {key}: the object store answered {status}: {text}")))
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Authorization` header of a request (AWS Signature Version 4, service `s3`):
/// `path` already URI-encoded, `query` canonical (sorted, encoded), `headers` the signed
/// ones with lower-case names, sorted by name, `payload` the body's SHA-256 in hex, `amz_date`
/// as `YYYYMMDDTHHMMSSZ`.
fn authorization(
    c: &S3Config,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    payload: &str,
    amz_date: &str,
) -> String {
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{}\n", v.trim())).collect();
    let signed_headers = headers.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(";");
    let canonical = format!("{method}\n{path}\n{query}\n{canonical_headers}\n{signed_headers}\n{payload}");
    let date = &amz_date[..8];
    let scope = format!("{date}/{}/s3/aws4_request", c.region);
    let to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex(&Sha256::digest(canonical.as_bytes())));
    let mut key = hmac(format!("AWS4{}", c.secret_access_key).as_bytes(), date.as_bytes());
    for part in [c.region.as_str(), "s3", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope},SignedHeaders={signed_headers},Signature={signature}",
        c.access_key_id
    )
}

/// Every byte but the unreserved ones and `/` percent-encoded (S3's canonical URI: encoded once).
fn uri_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The request time as `YYYYMMDDTHHMMSSZ` (UTC).
struct Timestamp(String);

impl Timestamp {
    fn now() -> Timestamp {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Timestamp::at(secs)
    }

    fn at(unix: u64) -> Timestamp {
        let (days, rem) = ((unix / 86_400) as i64, unix % 86_400);
        // Days since 1970-01-01 to a civil date (proleptic Gregorian).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
        Timestamp(format!("{year:04}{month:02}{day:02}T{h:02}{m:02}{s:02}Z"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The credentials of AWS's documented S3 signature examples.
    fn example() -> S3Config {
        S3Config {
            endpoint: "https://examplebucket.s3.amazonaws.com".into(),
            bucket: "examplebucket".into(),
            region: "us-east-1".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        }
    }

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn signs_the_documented_get_object_example() {
        let headers = [
            ("host", "examplebucket.s3.amazonaws.com"),
            ("range", "bytes=0-9"),
            ("x-amz-content-sha256", EMPTY),
            ("x-amz-date", "20130524T000000Z"),
        ];
        assert_eq!(
            authorization(&example(), "GET", "/test.txt", "", &headers, EMPTY, "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn signs_the_documented_put_object_example() {
        let body = b"Welcome to Amazon S3.";
        let payload = hex(&Sha256::digest(body));
        assert_eq!(payload, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
        let headers = [
            ("date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("host", "examplebucket.s3.amazonaws.com"),
            ("x-amz-content-sha256", payload.as_str()),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ];
        let path = uri_encode("/test$file.text");
        assert_eq!(path, "/test%24file.text");
        let auth = authorization(&example(), "PUT", &path, "", &headers, &payload, "20130524T000000Z");
        assert!(auth.ends_with("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"), "{auth}");
    }

    #[test]
    fn signs_the_documented_get_bucket_lifecycle_example() {
        let headers = [
            ("host", "examplebucket.s3.amazonaws.com"),
            ("x-amz-content-sha256", EMPTY),
            ("x-amz-date", "20130524T000000Z"),
        ];
        let auth = authorization(&example(), "GET", "/", "lifecycle=", &headers, EMPTY, "20130524T000000Z");
        assert!(auth.ends_with("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"), "{auth}");
    }

    #[test]
    fn timestamps_are_utc_civil_dates() {
        assert_eq!(Timestamp::at(0).0, "19700101T000000Z");
        assert_eq!(Timestamp::at(1_369_353_600).0, "20130524T000000Z");
        assert_eq!(Timestamp::at(951_782_400 + 86_399).0, "20000229T235959Z", "a leap day");
        assert_eq!(Timestamp::at(4_102_444_800).0, "21000101T000000Z");
    }

    #[test]
    fn a_bad_configuration_is_refused_with_what_is_wrong() {
        let mut c = example();
        c.bucket = "Bad_Bucket".into();
        assert!(S3::new(c).err().unwrap().to_string().contains("bucket"));
        let mut c = example();
        c.endpoint = "ftp://x".into();
        assert!(S3::new(c).err().unwrap().to_string().contains("endpoint"));
        let mut c = example();
        c.secret_access_key.clear();
        assert!(S3::new(c).is_err());
        let s3 = S3::new(S3Config { endpoint: "http://127.0.0.1:9000/".into(), ..example() }).unwrap();
        assert_eq!(
            (s3.host.as_str(), s3.describe().as_str()),
            ("127.0.0.1:9000", "http://127.0.0.1:9000/examplebucket")
        );
        assert!(!format!("{:?}", example()).contains("EXAMPLEKEY"), "the secret is never printed");
    }
}
