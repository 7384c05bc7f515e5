// Nor can an upload be handed to `Batch::add`, which takes a `Call`, not an `Upload`.
use discogen_runtime::Media;
use generated_example::farm_v1::{Farm, Photo};

fn main() {
    let farm = Farm::builder().build().unwrap();
    let mut batch = farm.new_batch();
    let upload = farm
        .animals()
        .photos()
        .insert("pony", Photo::default())
        .upload(Media::new("image/png", vec![0x89, b'P', b'N', b'G']));
    batch.add(upload, |_id, _result| {}).unwrap();
}
