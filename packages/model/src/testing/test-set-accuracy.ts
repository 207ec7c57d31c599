import type { ImageSet } from '@fmnist/dataset';
import type { Classifier, TestTimeAugmentation } from '../index.js';

/** The fraction of `test` that `classifier.classify` puts in its labelled class, 1,000 images at a time. */
export function testSetAccuracy(
  classifier: Classifier,
  test: ImageSet,
  tta: TestTimeAugmentation | false = false,
): number {
  const pixels = test.height * test.width * test.channels;
  let correct = 0;
  for (let start = 0; start < test.count; start += 1000) {
    const images = test.images.subarray(start * pixels, (start + 1000) * pixels);
    const rows = classifier.classify(images, { topK: 1, tta, batch: true });
    rows.forEach((row, i) => {
      if (row[0]!.classIndex === test.labels[start + i]) correct++;
    });
  }
  return correct / test.count;
}
