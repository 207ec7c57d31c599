/** One IDX file of a dataset: its file name (without `.gz`) and the SHA-256 of its decompressed bytes. */
export interface IdxFileSpec {
  file: string;
  sha256?: string;
}

/** Where a dataset of the MNIST layout lives and how to check it. Pass your own for MNIST or others. */
export interface IdxDatasetSpec {
  /** Folder name inside the cache dir. */
  name: string;
  files: {
    trainImages: IdxFileSpec;
    trainLabels: IdxFileSpec;
    testImages: IdxFileSpec;
    testLabels: IdxFileSpec;
  };
  classNames: readonly string[];
  /** Base URLs tried in order; each must serve `<file>.gz`. */
  mirrors: readonly string[];
  /** Environment variable naming a directory that holds the files. */
  envVar?: string;
  /** System-wide directories (e.g. from a distribution package), searched after the cache. */
  systemDirs?: readonly string[];
}

export type IdxFileRole = keyof IdxDatasetSpec['files'];

export const FILE_ROLES: readonly IdxFileRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

// Label order of Fashion-MNIST (github.com/zalandoresearch/fashion-mnist, "Labels").
export const CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/**
 * Fashion-MNIST. Hashes are of the decompressed IDX bytes, so any recompression (Debian's package
 * recompressed the upstream `.gz` files) still verifies.
 */
export const FASHION_MNIST: IdxDatasetSpec = {
  name: 'fashion-mnist',
  files: {
    trainImages: {
      file: 'train-images-idx3-ubyte',
      sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    },
    trainLabels: {
      file: 'train-labels-idx1-ubyte',
      sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    },
    testImages: {
      file: 't10k-images-idx3-ubyte',
      sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    },
    testLabels: {
      file: 't10k-labels-idx1-ubyte',
      sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
  },
  classNames: CLASS_NAMES,
  // The dataset's own hosting, as listed in its README.
  mirrors: [
    'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
  ],
  envVar: 'FASHION_MNIST_DIR',
  // Debian's `dataset-fashion-mnist` package.
  systemDirs: ['/usr/share/datasets/fashion-mnist'],
};
