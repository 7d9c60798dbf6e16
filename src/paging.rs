//! Paged lists: one page, or every item (and page) as a lazy stream.
//!
//! Every list operation of the spec (one that takes `startIndex` and `count` and answers with a
//! `{totalResults, startIndex, itemsPerPage, resources}` page) implements [`PagedRequest`]; the
//! impls are derived from the spec by `build.rs`. With [`Paginate`] in scope (it is in the
//! prelude), any such request builder can be streamed:
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use trivoreid::prelude::*;
//! use trivoreid::{Filter, TrivoreId};
//!
//! # async fn run(api: TrivoreId) -> Result<(), trivoreid::Error> {
//! let mut users = api.user_list().filter(Filter::sw("username", "a")).items();
//! while let Some(user) = users.try_next().await? {
//!     println!("{:?}", user.username);
//! }
//! # Ok(()) }
//! ```
//!
//! Pages are fetched when the stream needs them; [`Paginator::prefetch`] fetches the next page
//! while the current one is consumed (`api.user_list().paginate().prefetch(true).items()`).
//!
//! A stream stops when it has fetched `totalResults` items, or at an empty or short page. A
//! server that ignores `startIndex` (it answers with another start, or with the same page again)
//! ends the stream with an error instead of looping forever or yielding duplicates.

use std::future::Future;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt as _, StreamExt as _};

use crate::error::{ApiError, ApiErrorKind, Error, SdkError};

/// The largest page the Management API serves.
pub const MAX_PAGE_SIZE: i64 = 500;
/// The page size streams use unless told otherwise.
pub const DEFAULT_PAGE_SIZE: i64 = 100;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Number of results in all pages, when the server says.
    pub total_results: Option<i64>,
    /// 0-based index of this page's first result, when the server says.
    pub start_index: Option<i64>,
    /// Number of results in this page, when the server says.
    pub items_per_page: Option<i64>,
    /// The results.
    pub resources: Vec<T>,
}

/// A request builder of a list operation. Implemented by `build.rs` for every list operation of
/// the spec; not meant to be implemented by hand.
pub trait PagedRequest: Clone + Send + Sized {
    /// The item type.
    type Item: Clone + PartialEq + Send;
    /// The generated page type.
    type Page: Send;
    /// The operationId.
    const OPERATION: &'static str;
    /// The same request for another range.
    fn range(self, start_index: i64, count: i64) -> Self;
    /// Sends the request.
    fn fetch(self) -> impl Future<Output = Result<Self::Page, Error>> + Send;
    /// The generated page as a [`Page`].
    fn into_page(page: Self::Page) -> Page<Self::Item>;
}

/// Paging for every list operation (in the prelude).
pub trait Paginate: PagedRequest {
    /// Fetches one page: the range set on the builder, or the server's default.
    fn page(self) -> impl Future<Output = Result<Page<Self::Item>, Error>> + Send {
        async move { Ok(Self::into_page(self.fetch().await?)) }
    }

    /// Paging options: page size, first index and prefetching, then [`Paginator::pages`] or
    /// [`Paginator::items`].
    fn paginate(self) -> Paginator<Self> {
        Paginator {
            request: self,
            start_index: 0,
            page_size: DEFAULT_PAGE_SIZE,
            prefetch: false,
        }
    }

    /// Every page, fetched lazily, [`DEFAULT_PAGE_SIZE`] items each.
    fn pages<'s>(self) -> BoxStream<'s, Result<Page<Self::Item>, Error>>
    where
        Self: 's,
    {
        self.paginate().pages()
    }

    /// Every item, fetched lazily page by page.
    fn items<'s>(self) -> BoxStream<'s, Result<Self::Item, Error>>
    where
        Self: 's,
    {
        self.paginate().items()
    }
}

impl<R: PagedRequest> Paginate for R {}

/// Options for streaming a list.
#[derive(Debug, Clone)]
pub struct Paginator<R> {
    request: R,
    start_index: i64,
    page_size: i64,
    prefetch: bool,
}

impl<R: PagedRequest> Paginator<R> {
    /// Items per request, 1 to [`MAX_PAGE_SIZE`] (default [`DEFAULT_PAGE_SIZE`]). Another value
    /// makes the stream's first item an [`SdkError::InvalidArgument`].
    pub fn page_size(mut self, page_size: i64) -> Self {
        self.page_size = page_size;
        self
    }

    /// The 0-based index of the first item (default 0).
    pub fn start_index(mut self, start_index: i64) -> Self {
        self.start_index = start_index;
        self
    }

    /// Fetch the next page while the current one is consumed (default off): as soon as a page
    /// arrives, the request for the next one is sent, and every poll of the stream (for
    /// [`items`](Self::items): every item) moves it along. The server's time and the network
    /// then overlap with the consumer's work; see `BENCHMARKS.md` for what it saves.
    ///
    /// The cost: at most one more page in memory, and when the stream is dropped before its end,
    /// one request whose page is thrown away. Items, their order and the errors are the same as
    /// without it; an error fetching the next page is yielded after the current page's items.
    pub fn prefetch(mut self, prefetch: bool) -> Self {
        self.prefetch = prefetch;
        self
    }

    fn check(&self) -> Result<(), Error> {
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(SdkError::InvalidArgument {
                name: "page_size",
                reason: format!("must be 1 to {MAX_PAGE_SIZE}, not {}", self.page_size),
            }
            .into());
        }
        if self.start_index < 0 {
            return Err(SdkError::InvalidArgument {
                name: "start_index",
                reason: format!("must not be negative, not {}", self.start_index),
            }
            .into());
        }
        Ok(())
    }

    fn into_pager<'s>(self) -> Pager<'s, R>
    where
        R: 's,
    {
        let checked = self.check();
        Pager {
            request: self.request,
            next: self.start_index,
            page_size: self.page_size,
            prefetch: self.prefetch,
            previous_first: None,
            more: checked.is_ok(),
            failed: checked.err(),
            fetching: None,
            fetched: None,
        }
    }

    /// Every page, fetched lazily.
    pub fn pages<'s>(self) -> BoxStream<'s, Result<Page<R::Item>, Error>>
    where
        R: 's,
    {
        let mut pager = self.into_pager();
        futures::stream::poll_fn(move |cx| pager.poll_page(cx)).boxed()
    }

    /// Every item, fetched lazily page by page.
    pub fn items<'s>(self) -> BoxStream<'s, Result<R::Item, Error>>
    where
        R: 's,
    {
        let mut pager = self.into_pager();
        let mut current = Vec::new().into_iter();
        futures::stream::poll_fn(move |cx| {
            loop {
                if let Some(item) = current.next() {
                    pager.poll_ahead(cx);
                    return Poll::Ready(Some(Ok(item)));
                }
                match std::task::ready!(pager.poll_page(cx)) {
                    Some(Ok(page)) => current = page.resources.into_iter(),
                    Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                    None => return Poll::Ready(None),
                }
            }
        })
        .boxed()
    }
}

/// A page request on its way: the start it asked for and the response to come.
type Fetch<'s, R> = (i64, BoxFuture<'s, Result<<R as PagedRequest>::Page, Error>>);

/// The state of a paged stream.
struct Pager<'s, R: PagedRequest> {
    request: R,
    /// The start index of the next page to request.
    next: i64,
    page_size: i64,
    prefetch: bool,
    /// The first item of the previous page: a server that ignores `startIndex` repeats it.
    previous_first: Option<R::Item>,
    /// Whether there are more pages to request.
    more: bool,
    /// An invalid page size or start index, yielded first (then the stream ends: `more` is off).
    failed: Option<Error>,
    /// The request of the next page, sent and not yet answered.
    fetching: Option<Fetch<'s, R>>,
    /// The next page, answered ahead of its turn.
    fetched: Option<(i64, Result<R::Page, Error>)>,
}

impl<'s, R: PagedRequest + 's> Pager<'s, R> {
    /// Sends the request for the page at `self.next`.
    fn send(&mut self) {
        let start = self.next;
        let request = self.request.clone().range(start, self.page_size);
        self.fetching = Some((start, request.fetch().boxed()));
    }

    /// Moves a prefetched request along; keeps its answer for its turn.
    fn poll_ahead(&mut self, cx: &mut Context<'_>) {
        if let Some((start, fetch)) = &mut self.fetching
            && let Poll::Ready(result) = fetch.as_mut().poll(cx)
        {
            self.fetched = Some((*start, result));
            self.fetching = None;
        }
    }

    /// The next page, in order.
    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Page<R::Item>, Error>>> {
        if let Some(error) = self.failed.take() {
            return Poll::Ready(Some(Err(error)));
        }
        if self.fetched.is_none() && self.fetching.is_none() {
            if !self.more {
                return Poll::Ready(None);
            }
            self.send();
        }
        self.poll_ahead(cx);
        let Some((requested, result)) = self.fetched.take() else {
            return Poll::Pending;
        };
        let page = match result.and_then(|page| self.accept(requested, R::into_page(page))) {
            Ok(Some(page)) => page,
            Ok(None) => return Poll::Ready(None),
            Err(error) => {
                self.more = false;
                return Poll::Ready(Some(Err(error)));
            }
        };
        if self.more && self.prefetch {
            self.send();
            self.poll_ahead(cx);
        }
        Poll::Ready(Some(Ok(page)))
    }

    /// Checks a page against the request and the previous page, and decides what comes next.
    fn accept(
        &mut self,
        requested: i64,
        page: Page<R::Item>,
    ) -> Result<Option<Page<R::Item>>, Error> {
        if let Some(start) = page.start_index
            && start != requested
        {
            return Err(ignored_start_index(
                R::OPERATION,
                requested,
                &format!("it answered with startIndex={start}"),
            ));
        }
        if !page.resources.is_empty() && page.resources.first() == self.previous_first.as_ref() {
            return Err(ignored_start_index(
                R::OPERATION,
                requested,
                "it answered with the previous page again",
            ));
        }
        let len = page.resources.len() as i64;
        self.next = requested + len;
        self.more = !(len == 0
            || len < self.page_size
            || page
                .total_results
                .is_some_and(|total| requested + len >= total));
        if len == 0 {
            return Ok(None);
        }
        self.previous_first = page.resources.first().cloned();
        Ok(Some(page))
    }
}

fn ignored_start_index(operation: &str, requested: i64, detail: &str) -> Error {
    ApiError::new(ApiErrorKind::Protocol)
        .with_operation(operation)
        .with_message(format!(
            "the server ignored startIndex={requested} ({detail}); stopped instead of repeating items"
        ))
        .into()
}
