//! Pagination end to end: the generated Farm client's `pages()` and `items()` against the
//! in-memory Farm API, whose `animals.list` honours `pageSize` and `pageToken`.

use discogen_runtime::testing::{Misbehavior, RawResponse};
use discogen_runtime::{Error, RetryPolicy};
use futures_util::{StreamExt, TryStreamExt};
use generated_example::farm_v1::{Animal, AnimalList, Farm};
use generated_example::in_memory_farm::InMemoryFarm;

/// The seeds' pony and sheep, and nine more animals: `animal-1` … `animal-9`, tagged `herd`
/// and `odd` or `even` by number.
fn herd() -> InMemoryFarm {
    (1..=9).fold(InMemoryFarm::seeded(), |farm, n| {
        let parity = if n % 2 == 1 { "odd" } else { "even" };
        farm.with_animal(&format!("animal-{n}"), n, &["herd", parity])
    })
}

fn names(animals: &[Animal]) -> Vec<&str> {
    animals
        .iter()
        .map(|animal| animal.animal_name.as_deref().unwrap_or("?"))
        .collect()
}

#[tokio::test]
async fn pages_and_items_walk_every_animal() {
    let farm_state = herd();
    let server = farm_state.start().await;
    let farm = Farm::builder().root_url(server.url()).build().unwrap();

    let pages: Vec<AnimalList> = farm
        .animals()
        .list()
        .page_size(4)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages
        .iter()
        .map(|page| page.items.as_ref().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [4, 4, 3]);
    assert!(pages[2].next_page_token.is_none());
    let tokens: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|request| request.query_param("pageToken").map(str::to_owned))
        .collect();
    assert_eq!(tokens, [None, Some("4".into()), Some("8".into())]);

    let animals: Vec<Animal> = farm
        .animals()
        .list()
        .page_size(4)
        .items()
        .try_collect()
        .await
        .unwrap();
    let all: Vec<String> = farm_state.animal_names();
    assert_eq!(
        names(&animals),
        all.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(animals.len(), 11);
}

#[tokio::test]
async fn items_keep_the_filters_on_every_page_and_fetch_lazily() {
    let server = herd().start().await;
    let farm = Farm::builder().root_url(server.url()).build().unwrap();
    let odd: Vec<Animal> = farm
        .animals()
        .list()
        .tag(["herd", "odd"])
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        names(&odd),
        ["animal-1", "animal-3", "animal-5", "animal-7", "animal-9"]
    );
    for request in server.requests() {
        let tags: Vec<&str> = request
            .query
            .iter()
            .filter(|(name, _)| name == "tag")
            .map(|(_, value)| value.as_str())
            .collect();
        assert_eq!(tags, ["herd", "odd"], "{:?}", request.query);
    }

    // Taking the first three items asks for two pages of two, not all of them.
    server.clear_records();
    let first: Vec<Animal> = farm
        .animals()
        .list()
        .page_size(2)
        .items()
        .take(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(&first), ["animal-1", "animal-2", "animal-3"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_error_mid_way_ends_the_items() {
    let server = herd().start().await;
    let farm = Farm::builder()
        .root_url(server.url())
        .retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let mut items = farm.animals().list().page_size(5).items();
    for _ in 0..5 {
        items.next().await.unwrap().unwrap();
    }
    // The second page is refused.
    server.set_misbehavior(Misbehavior {
        raw_response: Some(RawResponse::new(
            403,
            "application/json",
            r#"{"error": {"code": 403, "message": "quota exceeded", "status": "PERMISSION_DENIED"}}"#,
        )),
        ..Misbehavior::default()
    });
    match items.next().await {
        Some(Err(Error::Api(error))) => {
            assert_eq!(error.status, 403);
            assert_eq!(error.error.unwrap().message, "quota exceeded");
        }
        other => panic!("expected the 403 of the second page, got {other:?}"),
    }
    assert!(items.next().await.is_none());
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn the_generated_streams_are_send() {
    fn send<S: futures_util::Stream + Send + Unpin + 'static>(_: S) {}
    let farm = Farm::builder().build().unwrap();
    send(farm.animals().list().pages());
    send(farm.animals().list().items());
    send(farm.animals().photos().list("pony").items());
    send(farm.farmers().list().items());
}
