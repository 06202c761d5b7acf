//! A cap on how many bytes any one response may bring into memory.
//!
//! The SDK reads a whole response body into memory before it parses it, so an endpoint answering
//! 100 MB (or a body that never ends) would be held whole. This interceptor refuses a response
//! whose `Content-Length` is over the cap before any of the body is read, and wraps every other
//! body in a counter that fails the read as soon as the cap is passed. It works on the SDK's own
//! body type, so it holds whichever HTTP stack the client is built on.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use aws_sdk_ecrpublic::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_ecrpublic::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ecrpublic::error::BoxError;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

/// The largest response ecrp accepts. The biggest legitimate answers are pages of 1,000 images
/// (a few hundred KB) and catalogs (under 600 KB with a logo URL): 16 MiB leaves room for rows
/// with many long tags while keeping a hostile body far below what would hurt.
pub const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// A response over the cap: either announced by its `Content-Length` or counted as it streamed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseTooLarge {
    pub limit: u64,
    /// The announced length, when the endpoint sent one.
    pub content_length: Option<u64>,
}

impl fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.content_length {
            Some(n) => write!(
                f,
                "the endpoint announced a response of {n} bytes, over ecrp's limit of {} bytes; \
                 nothing of it was read",
                self.limit
            ),
            None => write!(
                f,
                "the response went past ecrp's limit of {} bytes and was cut off there",
                self.limit
            ),
        }
    }
}

impl std::error::Error for ResponseTooLarge {}

/// Installed on every client by `aws::connect`.
#[derive(Debug)]
pub struct BodyCap {
    pub limit: u64,
}

impl Intercept for BodyCap {
    fn name(&self) -> &'static str {
        "ecrp::BodyCap"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let limit = self.limit;
        let announced = context
            .response()
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(n) = announced.filter(|&n| n > limit) {
            return Err(Box::new(ResponseTooLarge {
                limit,
                content_length: Some(n),
            }));
        }
        let body = std::mem::replace(context.response_mut().body_mut(), SdkBody::taken());
        let capped = body.map_preserve_contents(move |inner| {
            SdkBody::from_body_1_x(Capped {
                inner,
                seen: 0,
                limit,
            })
        });
        *context.response_mut().body_mut() = capped;
        Ok(())
    }
}

/// A body that fails once more than `limit` bytes have passed through it.
struct Capped {
    inner: SdkBody,
    seen: u64,
    limit: u64,
}

impl Body for Capped {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            other => return other,
        };
        if let Some(data) = frame.data_ref() {
            this.seen = this.seen.saturating_add(data.len() as u64);
            if this.seen > this.limit {
                return Poll::Ready(Some(Err(Box::new(ResponseTooLarge {
                    limit: this.limit,
                    content_length: None,
                }))));
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        Body::is_end_stream(&self.inner)
    }

    fn size_hint(&self) -> SizeHint {
        Body::size_hint(&self.inner)
    }
}
