/**
 * ChestX-ray14 for CheXNet: NIH's metadata ({@link org.chexnet.dataset.DataEntryCsv}), the dataset
 * directory and its official patient-disjoint split ({@link org.chexnet.dataset.ChestXray14}), a
 * learnable synthetic stand-in ({@link org.chexnet.dataset.SyntheticChestXray14}), decoding ({@link
 * org.chexnet.dataset.ImageDecoder}), batching ({@link org.chexnet.dataset.BatchLoader}) and a
 * digest of the data a run used ({@link org.chexnet.dataset.DatasetDigest}).
 */
package org.chexnet.dataset;
