//! Request ids: generated ones never collide with given ones, whatever the order of adds.

mod common;

use common::*;
use discogen_runtime::{Auth, Error};

#[test]
fn generated_and_given_ids_never_collide() {
    let client = farm_client("http://127.0.0.1:9/", Auth::None);
    let mut batch = client.new_batch();
    let queue = |batch: &mut discogen_runtime::Batch<'_>, id: Option<&str>| {
        let call = get_animal(&client, "a");
        match id {
            Some(id) => call.queue_with_id(batch, id, |_, _| {}),
            None => call.queue(batch, |_, _| {}),
        }
    };
    assert_eq!(queue(&mut batch, None).unwrap(), "1");
    assert_eq!(queue(&mut batch, None).unwrap(), "2");
    // Not the generated "1" or "2": other spellings of the numbers are distinct ids.
    assert_eq!(queue(&mut batch, Some("01")).unwrap(), "01");
    assert_eq!(queue(&mut batch, Some("+2")).unwrap(), "+2");
    // A number not generated yet is free, and generation then skips it.
    assert_eq!(queue(&mut batch, Some("4")).unwrap(), "4");
    assert_eq!(queue(&mut batch, None).unwrap(), "3");
    assert_eq!(queue(&mut batch, None).unwrap(), "5");
    for taken in ["1", "3", "4", "5", "01"] {
        let error = queue(&mut batch, Some(taken)).unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest(m) if m.contains("already in the batch")),
            "{taken}: {error}"
        );
    }
    assert_eq!(
        queue(&mut batch, Some("18446744073709551616")).unwrap(),
        "18446744073709551616"
    );
    assert_eq!(batch.len(), 8);
}
